#include "bench/process_figures.h"

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace tailor::bench {

ProcessFigures process_figures(pid_t pid) {
  ProcessFigures figures;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // The command name may hold spaces and parentheses; the fields start after its last ')'.
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i) fields >> skip;
  long utime = 0, stime = 0;
  fields >> utime >> stime;
  figures.cpu_s = double(utime + stime) / double(sysconf(_SC_CLK_TCK));
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) figures.peak_rss_kib = std::stol(line.substr(6));
    if (line.rfind("VmRSS:", 0) == 0) figures.rss_kib = std::stol(line.substr(6));
  }
  return figures;
}

}  // namespace tailor::bench
