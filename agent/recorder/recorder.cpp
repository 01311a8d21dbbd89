#include "agent/recorder/recorder.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>
#include <tuple>

#include "agent/recorder/bpffs.h"
#include "common/report/recorder_stats.h"
#include "common/syscalls/arch.h"
#include "common/syscalls/names.h"
#include "common/util/capabilities.h"
#include "recorder.skel.h"

namespace tailor::agent {
namespace {

using common::make_error;

// libbpf's own diagnostics are kept for --verbose; the user sees one line.
int quiet_libbpf_print(enum libbpf_print_level level, const char* format, va_list args) {
  if (level != LIBBPF_WARN || std::getenv("TAILOR_LIBBPF_DEBUG") == nullptr) return 0;
  return std::vfprintf(stderr, format, args);
}

std::string explain_load_failure(int err) {
  err = err < 0 ? -err : err;
  if (!std::filesystem::exists("/sys/kernel/btf/vmlinux"))
    return "this kernel has no BTF (/sys/kernel/btf/vmlinux): Tailor needs a kernel built with "
           "CONFIG_DEBUG_INFO_BTF=y (most distributions since 2021)";
  if (err == EPERM || err == EACCES) {
    const std::string missing = common::missing_capabilities({CAP_BPF, CAP_PERFMON});
    return "loading the BPF recorder was refused (" + common::errno_text(err) +
           "): " + (missing.empty() ? "" : "this process lacks " + missing + "; ") +
           "run as root, or grant CAP_BPF and CAP_PERFMON; check that "
           "kernel.unprivileged_bpf_disabled or a security module does not forbid BPF";
  }
  if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, nullptr) != 1)
    return "this kernel lacks BPF ring buffers (Linux 5.8+); upgrade the kernel (see "
           "docs/architecture.md for supported kernels)";
  return "cannot load the BPF recorder: " + common::errno_text(err) +
         " (set TAILOR_LIBBPF_DEBUG=1 for libbpf's log)";
}

// Count stripes as a power of two: one per online CPU unless asked, at most 4 by default for the
// memory each costs (RecorderOptions::count_stripes).
Result<uint32_t> count_stripes(uint32_t asked) {
  if (asked > TAILOR_MAX_COUNT_STRIPES)
    return make_error("at most " + std::to_string(TAILOR_MAX_COUNT_STRIPES) +
                      " count stripes, not " + std::to_string(asked));
  const uint32_t cpus = std::max(1u, std::thread::hardware_concurrency());
  return std::bit_ceil(asked != 0 ? asked : std::min(cpus, 4u));
}

// An mmap-able array map, shared with the program: read and cleared without a syscall.
Result<void*> map_shared(const bpf_map* map, size_t bytes, const char* what) {
  void* mapped = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(map), 0);
  if (mapped == MAP_FAILED)
    return make_error(std::string("cannot map the recorder's ") + what + ": " +
                      common::errno_text());
  return mapped;
}

void install_print_hook() {
  static std::once_flag once;
  std::call_once(once, [] { libbpf_set_print(quiet_libbpf_print); });
}

}  // namespace

ArgSpecs default_arg_specs() {
  const std::vector<std::pair<const char*, uint8_t>> wanted = {
      {"clone", 0},       {"clone3", TAILOR_ARG_CLONE3_FLAGS},
      {"unshare", 0},     {"setns", 1},
      {"socket", 0},      {"socketpair", 0},
      {"personality", 0}, {"prctl", 0},
      {"ioctl", 1},       {"bpf", 0},
      {"ptrace", 0},      {"keyctl", 0}};
  ArgSpecs specs;
  for (const auto& [name, spec] : wanted) {
    auto nr = common::syscall_number(common::native_arch(), name);
    if (nr && *nr && **nr < TAILOR_MAX_SYSCALLS) specs[**nr] = spec;
  }
  return specs;
}

Result<std::unique_ptr<Recorder>> Recorder::open(const RecorderOptions& options) {
  install_print_hook();
  std::unique_ptr<Recorder> self(new Recorder());
  self->skel_ = recorder__open();
  if (self->skel_ == nullptr) return make_error(explain_load_failure(errno));

  if (self->skel_->rodata->tailor_abi_version != TAILOR_ABI_VERSION)
    return make_error(
        "BPF object ABI version " + std::to_string(self->skel_->rodata->tailor_abi_version) +
        " does not match this tailor (" + std::to_string(TAILOR_ABI_VERSION) + "): rebuild tailor");
  for (const auto& [nr, spec] : options.arg_specs)
    if (nr < TAILOR_MAX_SYSCALLS) self->skel_->rodata->arg_specs[nr] = spec;
  auto stripes = count_stripes(options.count_stripes);
  if (!stripes) return stripes.error();
  if (options.max_syscall_sets == 0 || options.max_syscall_sets > TAILOR_CELL_MAX_SLOTS)
    return make_error("the syscall-set limit (--max-sets) must be between 1 and " +
                      std::to_string(TAILOR_CELL_MAX_SLOTS));
  auto* maps = &self->skel_->maps;
  if (bpf_map__set_max_entries(maps->tracked, options.max_tracked_cgroups) != 0 ||
      bpf_map__set_max_entries(maps->syscall_sets, options.max_syscall_sets) != 0 ||
      bpf_map__set_max_entries(maps->set_slots, options.max_syscall_sets) != 0 ||
      bpf_map__set_max_entries(maps->free_slots, options.max_syscall_sets) != 0 ||
      bpf_map__set_max_entries(maps->count_stripes,
                               std::max(1u, options.max_syscall_sets * (*stripes - 1))) != 0 ||
      bpf_map__set_max_entries(maps->arg_values, options.max_arg_values) != 0 ||
      bpf_map__set_max_entries(maps->denials, options.max_denials) != 0 ||
      bpf_map__set_max_entries(maps->events, options.ring_buffer_bytes) != 0)
    return make_error("invalid recorder map sizes (ring buffer must be a power of two pages)");

  const std::filesystem::path pins(options.pin_dir);
  if (!options.pin_dir.empty()) {
    auto mounted = ensure_bpffs(pins);
    if (!mounted) return mounted.error();
    self->mounted_bpffs_ = std::move(*mounted);
    std::error_code ec;
    std::filesystem::create_directories(pins, ec);
    if (ec)
      return make_error("cannot create " + options.pin_dir + ": " + ec.message() +
                        " (is a bpf filesystem mounted at /sys/fs/bpf?)");
    self->resumed_ = std::filesystem::exists(pins / "link");
    bpf_object* object = self->skel_->obj;
    bpf_map* map = nullptr;
    bpf_object__for_each_map(map, object) {
      // bpffs refuses names with dots ("recorder.bss"): they are kept for its own files.
      std::string name = bpf_map__name(map);
      std::replace(name.begin(), name.end(), '.', '_');
      if (bpf_map__set_pin_path(map, (pins / name).c_str()) != 0)
        return make_error("cannot pin map " + name);
    }
  }

  if (int err = recorder__load(self->skel_); err != 0) {
    if (self->resumed_)
      return make_error("the recorder state pinned in " + options.pin_dir +
                        " does not fit this tailor (other version or sizes): remove that directory "
                        "to start afresh (what it holds is lost)");
    return make_error(explain_load_failure(err));
  }
  if (self->skel_->rodata->tailor_abi_version != TAILOR_ABI_VERSION)
    return make_error("the recorder state pinned in " + options.pin_dir + " is of ABI version " +
                      std::to_string(self->skel_->rodata->tailor_abi_version) +
                      ": remove that directory to start afresh");

  self->set_count_ = options.max_syscall_sets;
  self->sets_bytes_ = static_cast<size_t>(self->set_count_) * sizeof(tailor_syscall_set);
  auto sets = map_shared(maps->syscall_sets, self->sets_bytes_, "syscall sets");
  if (!sets) return sets.error();
  self->sets_ = static_cast<tailor_syscall_set*>(*sets);
  // What the hot path reads besides its set, copied into every cache page so that a call
  // touches no other page (bpf/include/tailor/bpf/abi.h). A resumed state keeps what it was
  // loaded with: its .bss is the pinned one.
  if (!self->resumed_)
    for (auto& page : self->skel_->bss->tailor_resolve_cache) {
      page.stripe_mask = *stripes - 1;
      for (const auto& [nr, spec] : options.arg_specs)
        if (nr < TAILOR_MAX_SYSCALLS && spec != TAILOR_ARG_NONE)
          page.arg_syscalls[nr / 64] |= 1ULL << (nr % 64);
    }
  self->stripe_mask_ = self->skel_->bss->tailor_resolve_cache[0].stripe_mask;
  if (self->stripe_mask_ != 0) {
    self->stripes_bytes_ =
        static_cast<size_t>(self->set_count_) * self->stripe_mask_ * sizeof(tailor_count_stripe);
    auto stripes_map = map_shared(maps->count_stripes, self->stripes_bytes_, "count stripes");
    if (!stripes_map) return stripes_map.error();
    self->stripes_ = static_cast<tailor_count_stripe*>(*stripes_map);
  }
  // Resumed state already handed its slots out; only fresh maps need all of them.
  for (uint32_t slot = 0; !self->resumed_ && slot < self->set_count_; ++slot)
    if (bpf_map_update_elem(bpf_map__fd(maps->free_slots), nullptr, &slot, BPF_ANY) != 0)
      return make_error("cannot fill the recorder's free-slot queue: " + common::errno_text());

  // The syscall hook, the hooks that mark runtime processes and the one that keeps the cache
  // honest (tailor_rmdir); pinned under these names. "link" is the syscall hook's: a resumed
  // state is found by it.
  std::vector<std::pair<const char*, bpf_link**>> links = {
      {"link", &self->skel_->links.tailor_sys_enter},
      {"link_fork", &self->skel_->links.tailor_fork},
      {"link_exec", &self->skel_->links.tailor_exec},
      {"link_cgroup_attach", &self->skel_->links.tailor_cgroup_attach},
      {"link_populated", &self->skel_->links.tailor_populated},
      {"link_rmdir", &self->skel_->links.tailor_rmdir}};
  bpf_program__set_autoattach(self->skel_->progs.tailor_sys_exit, false);
  if (options.watch_denials) {
    links.push_back({"link_signal", &self->skel_->links.tailor_signal});
    links.push_back({"link_exit", &self->skel_->links.tailor_exit});
  } else {
    bpf_program__set_autoattach(self->skel_->progs.tailor_signal, false);
    bpf_program__set_autoattach(self->skel_->progs.tailor_exit, false);
  }
  if (self->resumed_) {
    // The previous programs are still attached and recording into these maps:
    // attaching these as well would count every call twice.
    for (const auto& [name, link] : links) {
      bpf_link* pinned = bpf_link__open((pins / name).c_str());
      if (pinned == nullptr)
        return make_error("cannot open the pinned recorder link " + (pins / name).string() + ": " +
                          common::errno_text() + " (remove " + options.pin_dir +
                          " to start afresh)");
      self->pinned_links_.push_back(pinned);
    }
  } else {
    if (int err = recorder__attach(self->skel_); err != 0)
      return make_error(
          "cannot attach the recorder's hooks (sys_enter, sched_process_fork, sched_process_exec, "
          "cgroup_attach_task, cgroup_notify_populated, cgroup_rmdir, signal_generate, "
          "sched_process_exit): " +
          common::errno_text(-err));
    for (const auto& [name, link] : links)
      if (!options.pin_dir.empty() && bpf_link__pin(*link, (pins / name).c_str()) != 0)
        return make_error("cannot pin the recorder link in " + options.pin_dir + ": " +
                          common::errno_text());
  }

  self->ring_ = ring_buffer__new(
      bpf_map__fd(maps->events),
      [](void* ctx, void* data, size_t size) -> int {
        auto* recorder = static_cast<Recorder*>(ctx);
        if (size < sizeof(tailor_event) || recorder->active_handler_ == nullptr) return 0;
        (*recorder->active_handler_)(*static_cast<const tailor_event*>(data));
        return 0;
      },
      self.get(), nullptr);
  if (self->ring_ == nullptr)
    return make_error("cannot open the recorder's ring buffer: " + common::errno_text());
  return self;
}

Status Recorder::unpin(const std::string& pin_dir) {
  std::error_code ec;
  std::filesystem::remove_all(pin_dir, ec);
  if (ec) return make_error("cannot remove " + pin_dir + ": " + ec.message());
  return common::ok_status();
}

Recorder::~Recorder() {
  for (bpf_link* link : pinned_links_) bpf_link__destroy(link);
  if (sets_ != nullptr) ::munmap(sets_, sets_bytes_);
  if (stripes_ != nullptr) ::munmap(stripes_, stripes_bytes_);
  ring_buffer__free(ring_);
  recorder__destroy(skel_);
}

void Recorder::bump_generation() {
  // The program reads it through the mmap'ed .bss map: no syscall, and a
  // stale cache entry is resolved again at the cgroup's next syscall.
  for (auto& page : skel_->bss->tailor_resolve_cache)
    __atomic_fetch_add(&page.generation, 1, __ATOMIC_SEQ_CST);
}

Status Recorder::track(uint64_t cgroup_id, tailor_track_mode mode) {
  tailor_track_cfg cfg{.mode = static_cast<uint32_t>(mode), .reserved = 0};
  if (bpf_map_update_elem(bpf_map__fd(skel_->maps.tracked), &cgroup_id, &cfg, BPF_ANY) != 0)
    return make_error(errno == E2BIG ? "too many tracked cgroups: raise the tracked-cgroup limit"
                                     : "cannot track cgroup: " + common::errno_text());
  bump_generation();
  return common::ok_status();
}

Status Recorder::untrack(uint64_t cgroup_id) {
  if (bpf_map_delete_elem(bpf_map__fd(skel_->maps.tracked), &cgroup_id) != 0 && errno != ENOENT)
    return make_error("cannot untrack cgroup: " + common::errno_text());
  bump_generation();
  return common::ok_status();
}

namespace {

// Visits every key of a hash map. Callers that delete collect keys first:
// deleting under the iteration restarts it.
template <typename Key, typename Visit>
Status for_each_key(int fd, const char* what, Visit&& visit) {
  Key key{}, next{};
  const void* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    visit(next);
    key = next;
    prev = &key;
  }
  if (errno != ENOENT)
    return make_error(std::string("reading ") + what + " failed: " + common::errno_text());
  return common::ok_status();
}

Result<int> delivered_or_error(int delivered) {
  if (delivered < 0 && delivered != -EINTR)
    return make_error("reading recorder events failed: " + common::errno_text(-delivered));
  return delivered < 0 ? 0 : delivered;
}

}  // namespace

Result<int> Recorder::poll_events(int timeout_ms, const EventHandler& handler) {
  active_handler_ = &handler;
  const int delivered = ring_buffer__poll(ring_, timeout_ms);
  active_handler_ = nullptr;
  return delivered_or_error(delivered);
}

int Recorder::event_fd() const { return ring_buffer__epoll_fd(ring_); }

Result<int> Recorder::consume_events(const EventHandler& handler) {
  active_handler_ = &handler;
  const int delivered = ring_buffer__consume(ring_);
  active_handler_ = nullptr;
  return delivered_or_error(delivered);
}

Recorder::CellCounts Recorder::cell_counts() const {
  CellCounts out;
  for (const auto& page : skel_->bss->tailor_resolve_cache)
    for (const auto& cell : page.cells) {
      const uint32_t owner = __atomic_load_n(&cell.owner, __ATOMIC_ACQUIRE);
      if (owner == 0) continue;
      const uint64_t slot = (owner >> TAILOR_CELL_SLOT_SHIFT) - 1;
      const uint64_t nr = owner & ((1u << TAILOR_CELL_NR_BITS) - 1);
      out[slot << 16 | nr] += __atomic_load_n(&cell.calls, __ATOMIC_RELAXED);
    }
  return out;
}

// A program that read a cell's owner just before this may still add its call after it:
// the same straggler as a released set's (slot_for clears those when it takes the slot),
// and count_call looks at `seen` whenever it claims a cell, so such a call can never hide
// a set's first.
void Recorder::free_cells(uint32_t slot) {
  for (auto& page : skel_->bss->tailor_resolve_cache)
    for (auto& cell : page.cells)
      if (__atomic_load_n(&cell.owner, __ATOMIC_RELAXED) >> TAILOR_CELL_SLOT_SHIFT == slot + 1) {
        __atomic_store_n(&cell.calls, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&cell.owner, 0, __ATOMIC_RELEASE);
      }
}

SyscallCounts Recorder::counts_at(uint32_t slot, const CellCounts& cells) const {
  SyscallCounts out;
  if (slot >= set_count_) return out;
  const tailor_syscall_set& set = sets_[slot];
  for (uint32_t nr = 0; nr < TAILOR_MAX_SYSCALLS; ++nr) {
    const uint64_t bit = 1ULL << (nr % 64);
    if (__atomic_load_n(&set.seen[nr / 64], __ATOMIC_RELAXED) & bit) {
      uint64_t calls = __atomic_load_n(&set.counts[nr], __ATOMIC_RELAXED);
      for (uint32_t stripe = 0; stripe < stripe_mask_; ++stripe)
        calls +=
            __atomic_load_n(&stripes_[slot * stripe_mask_ + stripe].counts[nr], __ATOMIC_RELAXED);
      if (auto it = cells.find(uint64_t{slot} << 16 | nr); it != cells.end()) calls += it->second;
      out.calls[nr] = calls;
    }
    if (__atomic_load_n(&set.args_overflow[nr / 64], __ATOMIC_RELAXED) & bit)
      out.args_overflow.insert(nr);
  }
  return out;
}

Status Recorder::read_arg_values(std::map<uint32_t, SyscallCounts*>& by_slot) const {
  const int fd = bpf_map__fd(skel_->maps.arg_values);
  return for_each_key<tailor_arg_key>(fd, "argument values", [&](const tailor_arg_key& key) {
    uint64_t calls = 0;
    auto it = by_slot.find(key.slot);
    if (it == by_slot.end() || bpf_map_lookup_elem(fd, &key, &calls) != 0) return;
    common::RecordedArg& arg = it->second->args[key.nr];
    arg.index = key.arg_index;
    arg.values[key.value] = calls;
  });
}

Result<std::map<SetKey, SyscallCounts>> Recorder::read_sets() const {
  const int fd = bpf_map__fd(skel_->maps.set_slots);
  std::map<SetKey, SyscallCounts> out;
  std::map<uint32_t, SyscallCounts*> by_slot;
  const CellCounts cells = cell_counts();
  auto listed = for_each_key<tailor_set_key>(fd, "syscall sets", [&](const tailor_set_key& key) {
    uint32_t slot = 0;
    if (bpf_map_lookup_elem(fd, &key, &slot) != 0) return;
    auto& counts = out[SetKey{key.cgroup_id, key.abi, key.phase}];
    counts = counts_at(slot, cells);
    by_slot[slot] = &counts;
  });
  if (!listed) return listed.error();
  if (auto args = read_arg_values(by_slot); !args) return args.error();
  return out;
}

Result<std::map<SetKey, SyscallCounts>> Recorder::read_sets_of(uint64_t cgroup_id) const {
  const int fd = bpf_map__fd(skel_->maps.set_slots);
  std::map<SetKey, SyscallCounts> out;
  std::map<uint32_t, SyscallCounts*> by_slot;
  const CellCounts cells = cell_counts();
  for (uint32_t abi = 0; abi < TAILOR_ABI_COUNT; ++abi) {
    for (uint32_t phase = 0; phase < TAILOR_PHASE_COUNT; ++phase) {
      tailor_set_key key{.cgroup_id = cgroup_id, .abi = abi, .phase = phase};
      uint32_t slot = 0;
      if (bpf_map_lookup_elem(fd, &key, &slot) == 0) {
        auto& counts = out[SetKey{cgroup_id, abi, phase}];
        counts = counts_at(slot, cells);
        by_slot[slot] = &counts;
      } else if (errno != ENOENT) {
        return make_error("reading syscall set failed: " + common::errno_text());
      }
    }
  }
  if (auto args = read_arg_values(by_slot); !args) return args.error();
  return out;
}

Status Recorder::forget_set(const SetKey& key) {
  const int fd = bpf_map__fd(skel_->maps.set_slots);
  tailor_set_key raw{.cgroup_id = key.cgroup_id, .abi = key.abi, .phase = key.phase};
  uint32_t slot = 0;
  if (bpf_map_lookup_elem(fd, &raw, &slot) != 0) return common::ok_status();
  if (bpf_map_delete_elem(fd, &raw) != 0 && errno != ENOENT)
    return make_error("cannot release syscall set: " + common::errno_text());
  // Cached resolutions may still point at the slot: invalidate them before
  // the slot can be handed to another cgroup.
  bump_generation();
  if (slot < set_count_) {
    std::memset(&sets_[slot], 0, sizeof(tailor_syscall_set));
    if (stripe_mask_ != 0)
      std::memset(&stripes_[slot * stripe_mask_], 0, stripe_mask_ * sizeof(tailor_count_stripe));
    free_cells(slot);
  }
  forget_arg_values(slot);
  if (bpf_map_update_elem(bpf_map__fd(skel_->maps.free_slots), nullptr, &slot, BPF_ANY) != 0)
    return make_error("cannot return a slot to the free queue: " + common::errno_text());
  return common::ok_status();
}

Status Recorder::forget_sets_of(uint64_t cgroup_id) {
  Status status = common::ok_status();
  for (uint32_t abi = 0; abi < TAILOR_ABI_COUNT; ++abi)
    for (uint32_t phase = 0; phase < TAILOR_PHASE_COUNT; ++phase)
      if (auto forgot = forget_set(SetKey{cgroup_id, abi, phase}); !forgot) status = forgot;
  return status;
}

void Recorder::forget_arg_values(uint32_t slot) {
  const int fd = bpf_map__fd(skel_->maps.arg_values);
  std::vector<tailor_arg_key> doomed;
  (void)for_each_key<tailor_arg_key>(fd, "argument values", [&](const tailor_arg_key& key) {
    if (key.slot == slot) doomed.push_back(key);
  });
  for (const auto& victim : doomed) bpf_map_delete_elem(fd, &victim);
}

Result<std::vector<Denial>> Recorder::read_denials_of(uint64_t cgroup_id) const {
  auto all = read_denials();
  if (!all) return all.error();
  std::erase_if(*all, [cgroup_id](const Denial& denial) { return denial.cgroup_id != cgroup_id; });
  return all;
}

Result<std::vector<Denial>> Recorder::read_denials() const {
  const int fd = bpf_map__fd(skel_->maps.denials);
  std::vector<Denial> out;
  auto listed = for_each_key<tailor_denial_key>(fd, "denials", [&](const tailor_denial_key& key) {
    uint64_t calls = 0;
    if (bpf_map_lookup_elem(fd, &key, &calls) == 0)
      out.push_back({key.cgroup_id, key.abi, key.nr, key.action, calls});
  });
  if (!listed) return listed.error();
  std::sort(out.begin(), out.end(), [](const Denial& a, const Denial& b) {
    return std::tie(a.cgroup_id, a.abi, a.nr, a.action) <
           std::tie(b.cgroup_id, b.abi, b.nr, b.action);
  });
  return out;
}

Status Recorder::watch_errno_denials(bool on) {
  bpf_link*& link = skel_->links.tailor_sys_exit;
  if (on && link == nullptr) {
    link = bpf_program__attach(skel_->progs.tailor_sys_exit);
    if (link == nullptr) {
      const int err = errno;
      return make_error("cannot attach the ERRNO-denial hook (sys_exit): " +
                        common::errno_text(err));
    }
  } else if (!on && link != nullptr) {
    bpf_link__destroy(link);
    link = nullptr;
  }
  return common::ok_status();
}

bool Recorder::watching_errno_denials() const { return skel_->links.tailor_sys_exit != nullptr; }

Status Recorder::forget_denials(uint64_t cgroup_id) {
  const int fd = bpf_map__fd(skel_->maps.denials);
  std::vector<tailor_denial_key> doomed;
  auto listed = for_each_key<tailor_denial_key>(fd, "denials", [&](const tailor_denial_key& key) {
    if (key.cgroup_id == cgroup_id) doomed.push_back(key);
  });
  if (!listed) return listed.error();
  for (const auto& victim : doomed)
    if (bpf_map_delete_elem(fd, &victim) != 0 && errno != ENOENT)
      return make_error("cannot release denials: " + common::errno_text());
  return common::ok_status();
}

Recorder::ProgramStats Recorder::program_stats() const {
  bpf_prog_info info{};
  uint32_t length = sizeof(info);
  if (bpf_obj_get_info_by_fd(bpf_program__fd(skel_->progs.tailor_sys_enter), &info, &length) != 0)
    return {};
  return {info.run_time_ns, info.run_cnt};
}

std::map<std::string, uint64_t> Recorder::stats() const {
  const int fd = bpf_map__fd(skel_->maps.stats);
  const int cpus = libbpf_num_possible_cpus();
  std::vector<uint64_t> per_cpu(cpus > 0 ? cpus : 1);
  std::map<std::string, uint64_t> out;
  for (const auto& stat : common::kRecorderStats) {
    const uint32_t index = stat.index;
    uint64_t total = 0;
    if (bpf_map_lookup_elem(fd, &index, per_cpu.data()) == 0)
      for (uint64_t v : per_cpu) total += v;
    out[std::string(stat.name)] = total;
  }
  return out;
}

}  // namespace tailor::agent
