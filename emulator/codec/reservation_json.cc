#include "emulator/codec/reservation_json.h"

#include "emulator/codec/json_fields.h"

namespace imsemu::codec {

StatusOr<core::ReservationRequest> ReservationFromJson(const nlohmann::json& json) {
  core::ReservationRequest request;
  IMSEMU_RETURN_IF_ERROR(ExpectObject(json, ""));
  IMSEMU_RETURN_IF_ERROR(RejectUnknownFields(json, "", {"payload_metadata", "selectors"}));
  if (auto it = json.find("payload_metadata"); it != json.end() && !it->is_null()) {
    IMSEMU_RETURN_IF_ERROR(ExpectObject(*it, "payload_metadata"));
    IMSEMU_RETURN_IF_ERROR(RejectUnknownFields(*it, "payload_metadata", {"labels", "annotations"}));
    IMSEMU_RETURN_IF_ERROR(ReadStringMap(*it, "labels", "payload_metadata", request.labels));
    IMSEMU_RETURN_IF_ERROR(
        ReadStringMap(*it, "annotations", "payload_metadata", request.annotations));
  }
  auto selectors = json.find("selectors");
  if (selectors == json.end() || selectors->is_null()) return request;
  if (!selectors->is_array()) return InvalidArgument("selectors must be an array");
  for (size_t i = 0; i < selectors->size(); ++i) {
    const Json& sj = (*selectors)[i];
    const std::string path = "selectors[" + std::to_string(i) + "]";
    IMSEMU_RETURN_IF_ERROR(ExpectObject(sj, path));
    IMSEMU_RETURN_IF_ERROR(RejectUnknownFields(sj, path, {"match_labels", "payload_state"}));
    core::Selector selector;
    auto labels = sj.find("match_labels");
    const bool empty_array = labels != sj.end() && labels->is_array() && labels->empty();
    if (!empty_array) {
      IMSEMU_RETURN_IF_ERROR(ReadStringMap(sj, "match_labels", path, selector.match_labels));
    }
    std::string state = "Ready";
    IMSEMU_RETURN_IF_ERROR(ReadString(sj, "payload_state", path, state));
    std::optional<core::PayloadState> parsed = core::ParsePayloadState(state);
    if (!parsed ||
        (*parsed != core::PayloadState::kReady && *parsed != core::PayloadState::kReserved)) {
      return InvalidArgument(path + ".payload_state must be \"Ready\" or \"Reserved\", got \"" +
                             state + "\"");
    }
    selector.payload_state = *parsed;
    request.selectors.push_back(std::move(selector));
  }
  return request;
}

}  // namespace imsemu::codec
