// GameServerCalls: the observers of what game servers do over the Payload
// Local API (ims_emulator/observer.h), told by its handlers. Thread-safe:
// Remove() waits for calls in flight, so an observer may be destroyed once
// it is removed.
#pragma once

#include <algorithm>
#include <shared_mutex>
#include <vector>

#include "ims_emulator/observer.h"

namespace imsemu::http {

class GameServerCalls {
 public:
  void Add(GameServerObserver* observer) {
    std::unique_lock lock(mu_);
    observers_.push_back(observer);
  }
  void Remove(GameServerObserver* observer) {
    std::unique_lock lock(mu_);
    observers_.erase(std::remove(observers_.begin(), observers_.end(), observer), observers_.end());
  }
  // Calls `tell(observer)` for each observer, in the order they were added.
  template <typename F>
  void Tell(F tell) {
    std::shared_lock lock(mu_);
    for (GameServerObserver* observer : observers_) tell(*observer);
  }

 private:
  std::shared_mutex mu_;
  std::vector<GameServerObserver*> observers_;
};

}  // namespace imsemu::http
