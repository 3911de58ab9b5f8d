#include "emulator/http/http_server.h"

#include "emulator/http/worker_pool.h"

#include <sys/socket.h>

#include <exception>

namespace imsemu::http {

HttpServer::HttpServer(RequestIds& ids, size_t worker_threads, Faults* faults) {
  server_.set_tcp_nodelay(true);
  server_.set_payload_max_length(kMaxBodyBytes);
  // Remember the listening socket: Start() widens its backlog.
  server_.set_socket_options([this](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_socket_ = sock;
  });
  server_.set_keep_alive_max_count(1000);
  // cpp-httplib 0.11 lets an idle keep-alive connection hold its worker until
  // this timeout, and Stop() waits for it; 2 s keeps stopping quick while a
  // game server polling once a second keeps its connection.
  server_.set_keep_alive_timeout(2);
  server_.new_task_queue = [worker_threads] { return new WorkerPool(worker_threads); };
  server_.set_pre_routing_handler(
      [&ids, faults](const httplib::Request& req, httplib::Response& res) {
        // A request with neither Content-Length nor Transfer-Encoding has an
        // empty body (RFC 9112 6.3), but cpp-httplib 0.11 then reads until the
        // connection closes and answers 400. `curl -X POST .../ready` sends just
        // that, so say so explicitly. The Request is not const where httplib
        // owns it; only its headers change.
        if ((req.method == "POST" || req.method == "PUT" || req.method == "PATCH") &&
            !req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) {
          const_cast<httplib::Request&>(req).headers.emplace("Content-Length", "0");
        }
        if (faults == nullptr) return httplib::Server::HandlerResponse::Unhandled;
        std::optional<Fault> fault = faults->Fire(req.method, req.path);
        if (!fault) return httplib::Server::HandlerResponse::Unhandled;
        // A delay is real time on purpose: it is the client's timeouts under test.
        if (fault->spec.delay.count() > 0) std::this_thread::sleep_for(fault->spec.delay);
        if (fault->spec.status == 0) return httplib::Server::HandlerResponse::Unhandled;
        WriteErrorBody(res, fault->spec.status, fault->spec.message, ids);
        // The body was not read: close rather than parse it as the next request.
        res.set_header("Connection", "close");
        return httplib::Server::HandlerResponse::Handled;
      });
  server_.set_error_handler(httplib::Server::HandlerWithResponse(
      [&ids](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        std::string message;
        switch (res.status) {
          case 404:
            message = "no endpoint " + req.method + " " + req.path;
            break;
          case 405:
            message = "method " + req.method + " is not allowed on " + req.path;
            break;
          case 413:
            message = "request body is larger than 1 MiB";
            break;
          case 400:
            message = "malformed HTTP request";
            break;
          default:
            message = "request failed with HTTP status " + std::to_string(res.status);
            break;
        }
        WriteErrorBody(res, res.status, message, ids);
        return httplib::Server::HandlerResponse::Handled;
      }));
  server_.set_exception_handler(
      [&ids](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string message = "internal error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          message = std::string("internal error: ") + e.what();
        } catch (...) {
        }
        WriteErrorBody(res, 500, message, ids);
      });
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Bind(const std::string& host, int port) {
  port_ =
      port == 0 ? server_.bind_to_any_port(host) : (server_.bind_to_port(host, port) ? port : -1);
  if (port_ <= 0) {
    return {StatusCode::kUnavailable,
            "cannot listen on " + host + ":" + std::to_string(port) + " (address in use?)"};
  }
  // cpp-httplib 0.11 listens with a backlog of 5, so a burst of clients
  // (32 game clients creating sessions at once) overflows it and connections
  // stall or fail. Listening again on a listening socket only resizes it.
  if (listen_socket_ >= 0) ::listen(listen_socket_, SOMAXCONN);
  return OkStatus();
}

void HttpServer::Serve() {
  thread_ = std::thread([this] {
    server_.listen_after_bind();
    finished_ = true;
  });
  // stop() is a no-op until the accept loop runs, so wait for it to start.
  while (!server_.is_running() && !finished_) std::this_thread::yield();
}

Status HttpServer::Start(const std::string& host, int port) {
  IMSEMU_RETURN_IF_ERROR(Bind(host, port));
  Serve();
  return OkStatus();
}

void HttpServer::RequestStop() {
  if (thread_.joinable()) server_.stop();
}

void HttpServer::Stop() {
  if (!thread_.joinable()) return;
  server_.stop();
  thread_.join();
}

}  // namespace imsemu::http
