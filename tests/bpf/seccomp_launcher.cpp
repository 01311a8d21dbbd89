// A launcher that is not Tailor: installs a seccomp filter that allows every
// call but the named ones, which get ACTION, then executes COMMAND under it.
//   tailor_test_seccomp_launcher errno|trap|kill_process|kill_thread|log SYSCALL[,SYSCALL...]
//                                COMMAND [ARG...]
#include <seccomp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>

namespace {

bool action_of(const char* name, uint32_t& action) {
  const std::string text = name;
  if (text == "errno")
    action = SCMP_ACT_ERRNO(EPERM);
  else if (text == "trap")
    action = SCMP_ACT_TRAP;
  else if (text == "kill_process")
    action = SCMP_ACT_KILL_PROCESS;
  else if (text == "kill_thread")
    action = SCMP_ACT_KILL_THREAD;
  else if (text == "log")
    action = SCMP_ACT_LOG;
  else
    return false;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t action = 0;
  if (argc < 4 || !action_of(argv[1], action)) {
    std::fprintf(stderr, "usage: %s ACTION SYSCALL[,SYSCALL...] COMMAND [ARG...]\n", argv[0]);
    return 2;
  }
  scmp_filter_ctx filter = seccomp_init(SCMP_ACT_ALLOW);
  if (filter == nullptr) return 3;
  std::stringstream names(argv[2]);
  for (std::string name; std::getline(names, name, ',');) {
    const int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR || seccomp_rule_add(filter, action, nr, 0) != 0) {
      std::fprintf(stderr, "launcher: cannot deny %s\n", name.c_str());
      return 3;
    }
  }
  if (const int err = seccomp_load(filter); err != 0) {
    std::fprintf(stderr, "launcher: seccomp_load: %s\n", std::strerror(-err));
    return 3;
  }
  seccomp_release(filter);
  execv(argv[3], argv + 3);
  std::fprintf(stderr, "launcher: cannot run %s: %s\n", argv[3], std::strerror(errno));
  return 127;
}
