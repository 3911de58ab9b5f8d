// Observers<T>: the observers of one side of the conversation
// (ims_emulator/observer.h), told by the API handlers: GameServerCalls for
// the Payload Local API, GameClientCalls for the Session Manager. Thread-safe:
// Remove() waits for calls in flight, so an observer may be destroyed once it
// is removed.
#pragma once

#include <algorithm>
#include <shared_mutex>
#include <vector>

#include "ims_emulator/observer.h"

namespace imsemu::http {

template <typename Observer>
class Observers {
 public:
  void Add(Observer* observer) {
    std::unique_lock lock(mu_);
    observers_.push_back(observer);
  }
  void Remove(Observer* observer) {
    std::unique_lock lock(mu_);
    observers_.erase(std::remove(observers_.begin(), observers_.end(), observer), observers_.end());
  }
  // Calls `tell(observer)` for each observer, in the order they were added.
  template <typename F>
  void Tell(F tell) {
    std::shared_lock lock(mu_);
    for (Observer* observer : observers_) tell(*observer);
  }

 private:
  std::shared_mutex mu_;
  std::vector<Observer*> observers_;
};

using GameServerCalls = Observers<GameServerObserver>;
using GameClientCalls = Observers<GameClientObserver>;

}  // namespace imsemu::http
