// Records: how allocations and payloads are written into a store row.
//
// The persisted document holds every field, internal ones included (timer,
// session config, status updates), unlike the wire codecs in codec/. Decoding
// never throws: a corrupt document yields nullopt. Pure functions.
#pragma once

#include <optional>
#include <string>

#include "emulator/core/allocation.h"
#include "emulator/core/payload.h"

namespace imsemu::store {

std::string EncodeAllocationRecord(const core::Allocation& allocation);
std::optional<core::Allocation> DecodeAllocationRecord(const std::string& text);

std::string EncodePayloadRecord(const core::Payload& payload);
std::optional<core::Payload> DecodePayloadRecord(const std::string& text);

}  // namespace imsemu::store
