// Shell completion and the man page, as bash, zsh and man(1) use them, and where
// `cmake --install` puts them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "common/util/file.h"
#include "tests/agent/commands/cli.h"
#include "tests/common/testing/temp_dir.h"
#include "tests/support/process.h"

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;
using tailor::testing::run_process;
using ::testing::HasSubstr;
using testing::run_tailor;

// What bash offers for the words typed so far (the last is being completed).
std::string bash_completes(const std::string& words) {
  const auto result = run_process({"/bin/bash", "-c",
                                   "source <(\"$0\" completion bash) || exit 9\n"
                                   "COMP_WORDS=(" +
                                       words +
                                       ")\n"
                                       "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
                                       "_tailor\n"
                                       "printf '%s\\n' \"${COMPREPLY[@]}\"",
                                   TAILOR_BIN});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_EQ(result.err, "");
  return result.out;
}

TEST(BashCompletionTest, CompletesCommandsOptionsAndFiles) {
  EXPECT_EQ(bash_completes("tailor re"), "record\nreport\n");
  EXPECT_EQ(bash_completes("tailor ''").find("completion"), std::string::npos);
  EXPECT_EQ(bash_completes("tailor record --tr"), "--trace\n");
  EXPECT_EQ(bash_completes("tailor report --c"), "--category\n")
      << "--comm is refused, not offered";
  EXPECT_EQ(bash_completes("tailor record --runtime-r"), "--runtime-root\n");
  // After an option that takes a value: files, not options.
  EXPECT_EQ(bash_completes("tailor record -o /proc/self/statu"), "/proc/self/status\n");
  // After --: the command to run.
  EXPECT_THAT(bash_completes("tailor record -- bas"), HasSubstr("bash\n"));
}

TEST(ZshCompletionTest, ParsesAndDescribesEveryCommand) {
  const auto script = run_tailor({"completion", "zsh"});
  ASSERT_EQ(script.exit_status, 0) << script.err;
  EXPECT_THAT(script.out, ::testing::StartsWith("#compdef tailor\n"));
  for (const char* command :
       {"record", "agent", "report", "profile", "merge", "diff", "run", "verify"})
    EXPECT_THAT(script.out, HasSubstr(std::string("'") + command + ":"));
  const auto parsed =
      run_process({"/usr/bin/zsh", "-c", "\"$0\" completion zsh > \"$1\" && zsh -n \"$1\"",
                   TAILOR_BIN, (fs::temp_directory_path() / "tailor-zsh-check").string()});
  EXPECT_EQ(parsed.exit_status, 0) << parsed.err;
}

TEST(ManPageTest, ManRendersEveryCommandAndOption) {
  const auto rendered =
      run_process({"/bin/sh", "-c", "\"$0\" man > \"$1\" && MANWIDTH=100 man -l \"$1\"", TAILOR_BIN,
                   (fs::temp_directory_path() / "tailor.1").string()});
  ASSERT_EQ(rendered.exit_status, 0) << rendered.err;
  EXPECT_EQ(rendered.err, "");  // groff warns about bad requests here
  EXPECT_THAT(rendered.out, HasSubstr("TAILOR(1)"));
  for (const char* text : {"record", "--runtime-root", "--trace", "--category", "--format",
                           "--aggregator", "EXIT STATUS", "NO_COLOR"})
    EXPECT_THAT(rendered.out, HasSubstr(text));
}

TEST(InstallTest, CmakeInstallPutsCompletionAndManPageWherePackagesLookForThem) {
  common::testing::TempDir prefix;
  const auto installed = run_process(
      {CMAKE_COMMAND, "--install", TAILOR_BUILD_DIR, "--prefix", prefix.path().string()});
  ASSERT_EQ(installed.exit_status, 0) << installed.out << installed.err;
  const auto expect_file = [&](const std::string& relative, const std::vector<std::string>& args) {
    auto text = common::read_file((prefix.path() / relative).string());
    ASSERT_TRUE(text) << relative << ": " << text.error().message;
    EXPECT_EQ(*text, run_tailor(args).out) << relative;
  };
  expect_file("share/bash-completion/completions/tailor", {"completion", "bash"});
  expect_file("share/zsh/site-functions/_tailor", {"completion", "zsh"});
  expect_file("share/man/man1/tailor.1", {"man"});
  EXPECT_TRUE(fs::exists(prefix.path() / "bin/tailor"));
  EXPECT_TRUE(fs::exists(prefix.path() / "bin/tailor-aggregator"));
}

}  // namespace
}  // namespace tailor::agent
