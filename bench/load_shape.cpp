#include "bench/load_shape.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <random>

#include "common/syscalls/names.h"

namespace tailor::bench {
namespace {

constexpr int64_t kAgentStartedUnixMs = 1714564800000;
constexpr int64_t kFirstSeenUnixMs = 1714564800100;  // plus the node's index

uint64_t count_of(uint64_t seq, std::size_t index) { return seq * 10 + index; }

void append_number(std::string& out, uint64_t number) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof(digits), number).ptr;
  out.append(digits, end);
}

}  // namespace

LoadShape::LoadShape(const Shape& shape) : shape_(shape) {
  for (uint32_t nr = 0; nr < 460; ++nr) {
    auto name = common::syscall_name("x86_64", nr);
    if (!name || !*name) continue;
    // Workloads draw from the first 300; injections from the rest, which no report has.
    (nr < 300 ? background_ : injectable_).push_back({nr, **name});
  }
  for (int w = 0; w < shape.workloads; ++w) {
    std::mt19937 random(w);
    std::vector<std::pair<uint32_t, std::string>> pool = background_;
    std::shuffle(pool.begin(), pool.end(), random);
    pool.resize(kSyscallsPerWorkload);
    if (std::none_of(pool.begin(), pool.end(), [](auto& s) { return s.first == kSocket; }))
      pool.back() = {kSocket, "socket"};
    const common::WorkloadKey k = key(w);
    report_heads_.push_back("{\"key\":{\"namespace\":\"" + k.namespace_name + "\",\"kind\":\"" +
                            k.kind + "\",\"name\":\"" + k.name + "\",\"container\":\"" +
                            k.container + "\"},\"pods\":[");
    std::vector<std::string> heads;
    for (const auto& [nr, name] : pool) {
      heads.push_back("{\"arch\":\"x86_64\",\"nr\":" + std::to_string(nr) + ",\"name\":\"" + name +
                      "\",\"phase\":\"workload\",\"count\":");
    }
    syscall_heads_.push_back(std::move(heads));
    sets_.push_back(std::move(pool));
  }
}

SimulatedNode LoadShape::node(int index) const {
  char id[40];
  std::snprintf(id, sizeof(id), "0d3c6f8e-5d1b-4c43-9a0e-%012x", index);
  return {"node-" + std::to_string(index), id};
}

common::WorkloadKey LoadShape::key(int workload) const {
  return {"bench-" + std::to_string(workload % 50), "Deployment", "app-" + std::to_string(workload),
          "main"};
}

int LoadShape::workload_of(int node, int container) const {
  return (node * shape_.containers_per_node + container) % shape_.workloads;
}

std::string LoadShape::pod_uid(int index, int container) const {
  char uid[40];
  std::snprintf(uid, sizeof(uid), "%08x-0000-4000-8000-%012x", index, container);
  return uid;
}

std::vector<std::vector<LoadShape::Pick>> LoadShape::picks(int index, uint64_t seq,
                                                           const Growth& growth) const {
  std::vector<std::vector<Pick>> reports(shape_.containers_per_node);
  std::mt19937 random(static_cast<uint32_t>(index * 7919 + seq));
  for (int c = 0; c < shape_.containers_per_node; ++c) {
    const auto& set = sets_[workload_of(index, c)];
    std::vector<std::size_t> picked;
    if (seq == 1) {
      for (int i = 0; i < growth.first_report_syscalls; ++i) picked.push_back((i + c) % set.size());
    } else {
      for (int i = 0; i < kSyscallsPerReport; ++i) picked.push_back(random() % set.size());
    }
    std::sort(picked.begin(), picked.end());
    picked.erase(std::unique(picked.begin(), picked.end()), picked.end());
    for (std::size_t i : picked) {
      Pick pick{.index = i};
      // As an agent sends it: the argument always, its values when new (an entry without the
      // argument would make the merged one incomplete).
      if (set[i].first == kSocket &&
          (seq == 1 || (growth.value_one_in > 0 && random() % growth.value_one_in == 0)))
        pick.value = 1 + random() % 40;
      reports[c].push_back(pick);
    }
  }
  return reports;
}

common::Delta LoadShape::batch(int index, uint64_t seq, const Growth& growth) const {
  const SimulatedNode sender = node(index);
  common::Delta delta;
  delta.node = sender.name;
  delta.agent = {sender.agent_id, kAgentStartedUnixMs};
  delta.seq = seq;
  const auto reports = picks(index, seq, growth);
  for (int c = 0; c < shape_.containers_per_node; ++c) {
    const int w = workload_of(index, c);
    const auto& set = sets_[w];
    common::WorkloadDelta report;
    report.key = key(w);
    if (seq == 1) report.pods.push_back(pod_uid(index, c));
    for (const Pick& pick : reports[c]) {
      common::DeltaSyscall syscall{"x86_64",
                                   set[pick.index].first,
                                   set[pick.index].second,
                                   common::Phase::workload,
                                   count_of(seq, pick.index),
                                   kFirstSeenUnixMs + index,
                                   std::nullopt};
      syscall.pods = 1;
      if (set[pick.index].first == kSocket) {
        syscall.arg = common::RecordedArg{.index = 0};
        if (pick.value != 0) syscall.arg->values[pick.value] = seq;
      }
      report.syscalls.push_back(std::move(syscall));
    }
    delta.workloads.push_back(std::move(report));
  }
  return delta;
}

std::string LoadShape::encoded_batch(int index, uint64_t seq, const Growth& growth) const {
  const SimulatedNode sender = node(index);
  std::string out;
  out.reserve(seq == 1 ? 8192 + 200 * shape_.containers_per_node * growth.first_report_syscalls
                       : 4096 + 600 * shape_.containers_per_node);
  out += "{\"format\":\"tailor.delta\",\"version\":1,\"node\":\"" + sender.name +
         "\",\"agent\":{\"id\":\"" + sender.agent_id + "\",\"started_unix_ms\":";
  append_number(out, kAgentStartedUnixMs);
  out += "},\"seq\":";
  append_number(out, seq);
  out += ",\"workloads\":[";
  const auto reports = picks(index, seq, growth);
  for (int c = 0; c < shape_.containers_per_node; ++c) {
    const int w = workload_of(index, c);
    if (c > 0) out += ',';
    out += report_heads_[w];
    if (seq == 1) out += "\"" + pod_uid(index, c) + "\"";
    out += "],\"syscalls\":[";
    bool first = true;
    for (const Pick& pick : reports[c]) {
      if (!first) out += ',';
      first = false;
      out += syscall_heads_[w][pick.index];
      append_number(out, count_of(seq, pick.index));
      out += ",\"first_seen_unix_ms\":";
      append_number(out, kFirstSeenUnixMs + index);
      out += ",\"pods\":1";
      if (sets_[w][pick.index].first == kSocket) {
        out += ",\"arg\":{\"index\":0,\"values\":[";
        if (pick.value != 0) {
          out += "{\"value\":";
          append_number(out, pick.value);
          out += ",\"count\":";
          append_number(out, seq);
          out += '}';
        }
        out += "],\"complete\":true}";
      }
      out += '}';
    }
    out += "]}";
  }
  out += "]}";
  return out;
}

}  // namespace tailor::bench
