#include "agent/report/spool.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/syscalls/names.h"
#include "tests/common/testing/temp_dir.h"

namespace tailor::agent {
namespace {

using common::testing::TempDir;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

common::Delta batch(uint64_t seq, std::string agent = "agent-1") {
  common::Delta delta;
  delta.node = "node-a";
  delta.agent = {std::move(agent), 1'700'000'000'000};
  delta.seq = seq;
  common::WorkloadDelta workload;
  workload.key = {"shop", "Deployment", "web", "nginx"};
  workload.syscalls.push_back(
      {"x86_64", static_cast<uint32_t>(seq),
       common::syscall_name("x86_64", static_cast<uint32_t>(seq)).value().value_or(""),
       common::Phase::workload, seq, 0, std::nullopt});
  delta.workloads.push_back(workload);
  return delta;
}

std::vector<uint64_t> seqs(const Spool& spool) {
  std::vector<uint64_t> out;
  for (const auto& entry : spool.entries()) out.push_back(entry.seq);
  return out;
}

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::unique_ptr<Spool> open_spool(const TempDir& dir, SpoolLimits limits = {}) {
  auto spool = Spool::open(dir.file("spool"), limits);
  EXPECT_TRUE(spool.ok()) << spool.error().message;
  return spool.ok() ? std::move(*spool) : nullptr;
}

TEST(SpoolTest, ReplaysUnacknowledgedBatchesInOrderAfterARestart) {
  TempDir dir;
  {
    auto spool = open_spool(dir);
    ASSERT_TRUE(spool);
    for (uint64_t seq = 1; seq <= 3; ++seq) ASSERT_TRUE(spool->append(batch(seq)).ok());
    ASSERT_TRUE(spool->remove(spool->entries()[1].id).ok());
  }
  auto spool = open_spool(dir);
  ASSERT_TRUE(spool);
  EXPECT_EQ(seqs(*spool), (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(spool->entries()[0].agent_id, "agent-1");
  const auto text = spool->read(spool->entries()[1]);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(common::decode_delta(*text).value(), batch(3));

  // A new agent run's batches follow the old run's, whatever their seq.
  ASSERT_TRUE(spool->append(batch(1, "agent-2")).ok());
  EXPECT_EQ(spool->entries().back().agent_id, "agent-2");
  EXPECT_GT(spool->entries().back().id, spool->entries()[1].id);
}

TEST(SpoolTest, DropsTheOldestWhenFullAndCountsThem) {
  TempDir dir;
  auto spool = open_spool(dir, {.max_bytes = 1 << 20, .max_files = 3});
  ASSERT_TRUE(spool);
  for (uint64_t seq = 1; seq <= 3; ++seq) ASSERT_TRUE(spool->append(batch(seq)).ok());
  const auto dropped = spool->append(batch(4));
  ASSERT_TRUE(dropped.ok());
  ASSERT_EQ(dropped->size(), 1u);
  EXPECT_EQ((*dropped)[0].seq, 1u);
  EXPECT_EQ(seqs(*spool), (std::vector<uint64_t>{2, 3, 4}));
  EXPECT_EQ(spool->dropped_batches(), 1u);

  const uint64_t one = spool->entries()[0].bytes;
  TempDir small_dir;
  auto small = open_spool(small_dir, {.max_bytes = 2 * one + one / 2, .max_files = 100});
  ASSERT_TRUE(small);
  for (uint64_t seq = 1; seq <= 4; ++seq) ASSERT_TRUE(small->append(batch(seq)).ok());
  EXPECT_EQ(seqs(*small), (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(small->dropped_batches(), 2u);
  EXPECT_LE(small->bytes(), 2 * one + one / 2);
}

TEST(SpoolTest, EnforcesLoweredLimitsOnOpen) {
  TempDir dir;
  {
    auto spool = open_spool(dir);
    for (uint64_t seq = 1; seq <= 4; ++seq) ASSERT_TRUE(spool->append(batch(seq)).ok());
  }
  auto spool = open_spool(dir, {.max_bytes = 1 << 20, .max_files = 2});
  ASSERT_TRUE(spool);
  EXPECT_EQ(seqs(*spool), (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(spool->dropped_batches(), 2u);
}

TEST(SpoolTest, RefusesABatchLargerThanTheWholeSpool) {
  TempDir dir;
  auto spool = open_spool(dir, {.max_bytes = 10, .max_files = 10});
  ASSERT_TRUE(spool);
  const auto appended = spool->append(batch(1));
  ASSERT_FALSE(appended.ok());
  EXPECT_THAT(appended.error().message, HasSubstr("raise the spool limit"));
  EXPECT_EQ(spool->dropped_batches(), 0u);
}

TEST(SpoolTest, MovesCorruptFilesAsideAndCountsThem) {
  TempDir dir;
  {
    auto spool = open_spool(dir);
    for (uint64_t seq = 1; seq <= 3; ++seq) ASSERT_TRUE(spool->append(batch(seq)).ok());
  }
  const std::string second = dir.file("spool/00000000000000000002.json");
  write(second, "{\"format\": \"tailor.delta\", \"vers");
  write(dir.file("spool/00000000000000000003.json"), "");
  auto spool = open_spool(dir);
  ASSERT_TRUE(spool);
  EXPECT_EQ(seqs(*spool), (std::vector<uint64_t>{1}));
  EXPECT_EQ(spool->corrupt_files(), 2u);
  EXPECT_TRUE(fs::exists(dir.file("spool/corrupt/00000000000000000002.json")));
  EXPECT_FALSE(fs::exists(second));
  // Ids keep growing past the corrupt files' ids.
  ASSERT_TRUE(spool->append(batch(4)).ok());
  EXPECT_EQ(spool->entries().back().id, 4u);
}

TEST(SpoolTest, AFileLostAfterOpenIsCountedAndLeavesTheList) {
  TempDir dir;
  auto spool = open_spool(dir);
  ASSERT_TRUE(spool->append(batch(1)).ok());
  const SpoolEntry entry = spool->entries()[0];
  fs::remove(dir.file("spool/00000000000000000001.json"));
  EXPECT_FALSE(spool->read(entry).ok());
  EXPECT_EQ(spool->corrupt_files(), 1u);
  EXPECT_TRUE(spool->entries().empty());
  EXPECT_EQ(spool->bytes(), 0u);
}

TEST(SpoolTest, CleansUpTemporariesOfACrashBetweenWriteAndRename) {
  TempDir dir;
  {
    auto spool = open_spool(dir);
    ASSERT_TRUE(spool->append(batch(1)).ok());
  }
  // What write_file_atomically leaves when the process dies before its rename.
  const std::string temporary = dir.file("spool/.00000000000000000002.json.tmp-4242-beef");
  write(temporary, common::encode_delta(batch(2)).substr(0, 20));
  write(dir.file("spool/README"), "not a batch");
  auto spool = open_spool(dir);
  ASSERT_TRUE(spool);
  EXPECT_EQ(seqs(*spool), (std::vector<uint64_t>{1}));
  EXPECT_FALSE(fs::exists(temporary));
  EXPECT_TRUE(fs::exists(dir.file("spool/README"))) << "files that are not ours stay";
  EXPECT_EQ(spool->corrupt_files(), 0u);
}

TEST(SpoolTest, OneProcessAtATime) {
  TempDir dir;
  auto first = open_spool(dir);
  ASSERT_TRUE(first);
  const auto second = Spool::open(dir.file("spool"), {});
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.error().message, HasSubstr("in use by another agent"));
  first.reset();
  EXPECT_TRUE(Spool::open(dir.file("spool"), {}).ok());
}

}  // namespace
}  // namespace tailor::agent
