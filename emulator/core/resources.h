// Resources: what a payload may use, as IMS's payload_spec names it
// (`resources: {cpu, memory}`), in Kubernetes' quantity notation: cpu in
// cores ("2", "0.5") or millicores ("500m"); memory in bytes with an optional
// decimal (k, M, G, T) or binary (Ki, Mi, Gi, Ti) suffix ("512Mi", "2G").
// The spec keeps the text as given (it is returned as sent); these read it.
// Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace imsemu::core {

struct Resources {
  std::string cpu;     // "" = no limit
  std::string memory;  // "" = no limit
  bool operator==(const Resources&) const = default;
};

// The cpu quantity in millicores ("0.5" and "500m" are 500), or nullopt when
// `text` is not a positive quantity of at most 1,000,000 cores.
std::optional<long long> MilliCpuOf(std::string_view text);

// The memory quantity in bytes ("64Mi" is 67,108,864; fractions are rounded
// up to a whole byte), or nullopt when `text` is not a positive quantity of
// at most 1 PiB.
std::optional<long long> MemoryBytesOf(std::string_view text);

// "0.5" for 500 millicores: the decimal a container runtime's --cpus takes.
std::string CoresText(long long millicores);

}  // namespace imsemu::core
