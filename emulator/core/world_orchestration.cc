// World: the orchestration API's operations (allocations, payloads, reservations).
#include "emulator/core/world.h"

namespace imsemu::core {

StatusOr<Allocation> World::AddAllocation(const std::string& project, std::optional<std::string> id,
                                          AllocationSpec spec, Time now) {
  IMSEMU_RETURN_IF_ERROR(ValidateAllocationSpec(spec));
  Allocation a;
  a.id = id ? *id : counters_.ids.NextUuid();
  if (a.id.empty()) return InvalidArgument("allocation id must not be empty");
  if (store_.GetAllocation(a.id)) {
    return AlreadyExists("allocation '" + a.id + "' already exists");
  }
  a.project_id = project;
  a.seq = counters_.next_seq++;
  a.created = now;
  a.spec = std::move(spec);
  if (!store_.HasProject(project)) store_.PutProject(project);
  store_.PutAllocation(a);
  Event e = Event::Of(a, EventKind::kAllocationCreated, Actor::kOrchestration, now);
  e.detail = a.spec.name;
  Journal(std::move(e));
  Converge(a.id, now);
  return *store_.GetAllocation(a.id);  // with the status the control loop gave it
}

StatusOr<Allocation> World::FindAllocation(const std::string& project, const std::string& id) {
  if (!store_.HasProject(project)) return NotFound("project '" + project + "' not found");
  std::optional<Allocation> a = store_.GetAllocation(id);
  if (!a || a->project_id != project) {
    return NotFound("allocation '" + id + "' not found in project '" + project + "'");
  }
  return *a;
}

StatusOr<Payload> World::FindPayload(const std::string& id) {
  std::optional<Payload> p = store_.GetPayload(id);
  if (!p) return NotFound("payload '" + id + "' not found");
  return *p;
}

StatusOr<Payload> World::FindPayloadOf(const std::string& project, const std::string& allocation,
                                       const std::string& id) {
  IMSEMU_RETURN_IF_ERROR(FindAllocation(project, allocation).status());
  StatusOr<Payload> p = FindPayload(id);
  if (!p.ok() || p->allocation_id != allocation) {
    return NotFound("payload '" + id + "' not found in allocation '" + allocation + "'");
  }
  return p;
}

StatusOr<std::vector<Allocation>> World::ListAllocations(const std::string& project) {
  MutexLock lock(mu_);
  Prepare();
  if (!store_.HasProject(project)) return NotFound("project '" + project + "' not found");
  return store_.ListAllocations(project);
}

StatusOr<Allocation> World::CreateAllocation(const std::string& project, AllocationSpec spec) {
  return Locked<Allocation>([&](Time now) IMSEMU_REQUIRES(mu_) {
    return AddAllocation(project, std::nullopt, std::move(spec), now);
  });
}

StatusOr<Allocation> World::GetAllocation(const std::string& project, const std::string& id) {
  MutexLock lock(mu_);
  Prepare();
  return FindAllocation(project, id);
}

StatusOr<Allocation> World::UpdateAllocation(
    const std::string& project, const std::string& id, EventKind kind,
    const std::function<Status(Allocation&, Event&)>& change) {
  return Locked<Allocation>([&](Time now) IMSEMU_REQUIRES(mu_) -> StatusOr<Allocation> {
    IMSEMU_ASSIGN_OR_RETURN(Allocation a, FindAllocation(project, id));
    Event e = Event::Of(a, kind, Actor::kOrchestration, now);
    IMSEMU_RETURN_IF_ERROR(change(a, e));
    store_.PutAllocation(a);
    Journal(std::move(e));
    Converge(id, now);
    return *store_.GetAllocation(id);  // with the status the control loop gave it
  });
}

StatusOr<Allocation> World::ReplaceAllocation(const std::string& project, const std::string& id,
                                              AllocationSpec spec) {
  return UpdateAllocation(
      project, id, EventKind::kAllocationReplaced, [&](Allocation& a, Event& e) -> Status {
        if (a.deleting)
          return FailedPrecondition("allocation '" + id + "' is " + AllocationStatusName(a.status) +
                                    " (deleted): it takes no new spec");
        IMSEMU_RETURN_IF_ERROR(ValidateAllocationSpec(spec));
        // A change of what runs is a new revision, rolled out (World::RollOut);
        // any other change applies at once.
        if (spec.payload_spec != a.spec.payload_spec) {
          ++a.revision;
          a.updating = true;
          e.detail = "revision " + std::to_string(a.revision) +
                     ": the payload_spec changed; rolling out (new payloads first, then the old "
                     "unreserved ones go)";
        } else {
          e.detail = "revision " + std::to_string(a.revision) + " unchanged: applied at once";
        }
        a.spec = std::move(spec);
        return OkStatus();
      });
}

StatusOr<Allocation> World::DeleteAllocation(const std::string& project, const std::string& id) {
  return UpdateAllocation(project, id, EventKind::kAllocationDeleting, [](Allocation& a, Event&) {
    a.deleting = true;
    return OkStatus();
  });
}

StatusOr<std::vector<Payload>> World::ListPayloads(const std::string& project,
                                                   const std::string& allocation) {
  MutexLock lock(mu_);
  Prepare();
  IMSEMU_RETURN_IF_ERROR(FindAllocation(project, allocation).status());
  std::vector<Payload> out;
  store_.VisitPayloads(allocation, std::nullopt, [&](const Payload& p) IMSEMU_REQUIRES(mu_) {
    out.push_back(p);
    return true;
  });
  return out;
}

StatusOr<Payload> World::GetPayloadOf(const std::string& project, const std::string& allocation,
                                      const std::string& id) {
  MutexLock lock(mu_);
  Prepare();
  return FindPayloadOf(project, allocation, id);
}

Status World::DeletePayload(const std::string& project, const std::string& allocation,
                            const std::string& id, bool force) {
  MutexLock lock(mu_);
  return Mutate([&](Time now) IMSEMU_REQUIRES(mu_) -> Status {
    IMSEMU_ASSIGN_OR_RETURN(Payload p, FindPayloadOf(project, allocation, id));
    if (p.state == PayloadState::kReserved && !force) {
      return FailedPrecondition("payload '" + id +
                                "' is Reserved; delete it with force_delete=true");
    }
    RemovePayload(p, Actor::kOrchestration, force ? "force-deleted" : "deleted", now);
    Converge(allocation, now);
    return OkStatus();
  });
}

StatusOr<Payload> World::ReserveIn(const Allocation& allocation, const ReservationRequest& request,
                                   Actor actor, Time now) {
  IMSEMU_RETURN_IF_ERROR(ValidateReservation(request));
  if (allocation.deleting || !allocation.spec.enabled) {
    return FailedPrecondition("allocation '" + allocation.id + "' is " +
                              AllocationStatusName(allocation.status) +
                              " and takes no reservations");
  }
  std::vector<Selector> selectors = request.selectors;
  if (selectors.empty()) selectors.emplace_back();
  std::optional<Payload> chosen;
  size_t chosen_selector = 0;
  for (size_t i = 0; i < selectors.size() && !chosen; ++i) {
    // The oldest match of the allocation's current revision; an older
    // revision's only when none of the current one matches (a rollout).
    store_.VisitPayloads(
        allocation.id, selectors[i].payload_state, [&](const Payload& p) IMSEMU_REQUIRES(mu_) {
          if (!Matches(selectors[i], p)) return true;
          if (!chosen ||
              (p.revision == allocation.revision && chosen->revision != allocation.revision)) {
            chosen = p;
            chosen_selector = i;
          }
          return chosen->revision != allocation.revision;
        });
  }
  if (!chosen) {
    return FailedPrecondition("no payload of allocation '" + allocation.id +
                              "' matches the reservation's selectors");
  }
  Payload& p = *chosen;
  const std::string selector = "(selector " + std::to_string(chosen_selector) + ")";
  ReservePayload(
      p, request, actor,
      (p.state == PayloadState::kReserved ? "back-fill reservation " : "reserved ") + selector,
      now);
  store_.PutPayload(p);
  NoteReserver(allocation, actor, now);
  Converge(allocation.id, now);
  return p;
}

void World::NoteReserver(const Allocation& allocation, Actor actor, Time now) {
  if (actor != Actor::kSessionManager && actor != Actor::kOrchestration) return;
  std::optional<Allocation> a = store_.GetAllocation(allocation.id);
  if (!a) return;
  bool& reserved = actor == Actor::kSessionManager ? a->reserved_by_session_manager
                                                   : a->reserved_by_orchestration;
  if (reserved) return;
  reserved = true;
  if (a->reserved_by_session_manager && a->reserved_by_orchestration) {
    Event w = Event::Of(*a, EventKind::kAllocationShared, actor, now);
    w.level = EventLevel::kWarning;
    w.detail = "allocation '" + a->id +
               "' is reserved from by both the Session Manager and an orchestration caller: "
               "give the Session Manager an allocation of its own (IMS's integration guide)";
    Journal(std::move(w));
  }
  store_.PutAllocation(*a);
}

StatusOr<Payload> World::Reserve(const std::string& project, const std::string& allocation,
                                 const ReservationRequest& request) {
  return Locked<Payload>([&](Time now) IMSEMU_REQUIRES(mu_) -> StatusOr<Payload> {
    IMSEMU_ASSIGN_OR_RETURN(Allocation a, FindAllocation(project, allocation));
    return ReserveIn(a, request, Actor::kOrchestration, now);
  });
}

}  // namespace imsemu::core
