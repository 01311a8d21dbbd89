// Peak resident memory of a command and everything it waits for, as the
// kernel counts it (wait4's ru_maxrss is the largest of the process tree's
// members). Used for "tailor record stays under 30 MiB".
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s COMMAND [ARGS...]\n", argv[0]);
    return 2;
  }
  const pid_t pid = fork();
  if (pid == 0) {
    execv(argv[1], argv + 1);
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  std::printf("peak RSS: %.1f MiB (%ld KiB) of:", usage.ru_maxrss / 1024.0, usage.ru_maxrss);
  for (int i = 1; i < argc; ++i) std::printf(" %s", argv[i]);
  std::printf("\nreproduce: sudo %s", argv[0]);
  for (int i = 1; i < argc; ++i) std::printf(" %s", argv[i]);
  std::printf("\n");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
