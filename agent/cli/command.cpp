#include "agent/cli/command.h"

#include <cstdio>

namespace tailor::agent {

int fail(const common::Error& error, int exit_status) {
  std::fprintf(stderr, "tailor: %s\n", error.message.c_str());
  return exit_status;
}

}  // namespace tailor::agent
