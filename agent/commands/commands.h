#pragma once

#include "agent/cli/command.h"

// Every command of tailor: each adds itself to `app` with its options, and its callback makes it
// the `choice` to run.
namespace tailor::agent {

// `tailor record`: runs or attaches to a workload and writes its report.
void add_record_command(CLI::App& app, CommandChoice& choice);

// `tailor agent`: the node daemon (a DaemonSet in a cluster).
void add_agent_command(CLI::App& app, CommandChoice& choice);

// `tailor report FILE`: the recording as a table or JSON, with filters.
void add_report_command(CLI::App& app, CommandChoice& choice);

// `tailor profile FILE -o profile.json`: the least-privilege seccomp profile of a recording, for
// an OCI runtime or as a SeccompProfile object of the Security Profiles Operator.
void add_profile_command(CLI::App& app, CommandChoice& choice);

// `tailor merge R1 R2 ... -o OUT`: one report from several recordings of a workload.
void add_merge_command(CLI::App& app, CommandChoice& choice);

// `tailor diff A B` and `tailor diff P --against docker-default`: what each of two reports or
// profiles allows that the other does not. Exits like diff(1): 0 when they allow the same, 1
// when they differ, 2 on an error.
void add_diff_command(CLI::App& app, CommandChoice& choice);

// `tailor run --profile P [--audit] -- CMD`: a command under a seccomp profile.
void add_run_command(CLI::App& app, CommandChoice& choice);
// `tailor verify --profile P (--container ID | ... | -- CMD)`: would the profile deny anything?
void add_verify_command(CLI::App& app, CommandChoice& choice);

// `tailor enforce-patch`: the kubectl patch that makes a stable workload run under its
// Tailor SeccompProfile.
void add_enforce_patch_command(CLI::App& app, CommandChoice& choice);

}  // namespace tailor::agent
