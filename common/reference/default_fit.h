#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace tailor::common {

// How a recording's needs sit against one built-in runtime default on one of its
// architectures, as `tailor diff REPORT --against NAME` counts them.
struct DefaultFit {
  std::string name;     // "docker-default"
  std::string version;  // "moby/profiles cd3bed80"
  std::string arch;
  bool covered = true;  // false: the default does not filter this architecture on this host
  std::size_t needed = 0;
  std::size_t allowed = 0;                       // needed and allowed as called
  std::vector<std::string> denied;               // needed, not allowed at all
  std::vector<std::string> denied_by_arguments;  // allowed, but not with the recorded arguments
  std::size_t unused = 0;                        // allowed by the default, not needed
};

}  // namespace tailor::common
