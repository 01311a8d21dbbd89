# bpf_skeleton(NAME SOURCE) compiles SOURCE into a CO-RE BPF object against vmlinux.h and
# generates <NAME>.skel.h with bpftool; the target tailor_bpf_<NAME> carries the include path
# to the skeleton.
find_program(CLANG_EXE NAMES clang clang-14 REQUIRED)
find_program(BPFTOOL_EXE NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)

set(TAILOR_BPF_GEN_DIR ${CMAKE_BINARY_DIR}/bpf_gen)
file(MAKE_DIRECTORY ${TAILOR_BPF_GEN_DIR})

if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  set(TAILOR_BPF_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
  set(TAILOR_BPF_ARCH arm64)
else()
  message(FATAL_ERROR "unsupported architecture for BPF: ${CMAKE_SYSTEM_PROCESSOR}")
endif()

# The committed bpf/vmlinux/<arch>/vmlinux.h (the command that made each is at its top) lets a
# machine without kernel BTF (an image build) build: CO-RE relocates the object on whatever
# kernel loads it, so the BTF the header came from does not matter later.
option(TAILOR_VMLINUX_FROM_KERNEL "Generate vmlinux.h from TAILOR_VMLINUX_BTF instead" OFF)
set(TAILOR_VMLINUX_BTF /sys/kernel/btf/vmlinux CACHE FILEPATH "BTF used to generate vmlinux.h")
if(TAILOR_VMLINUX_FROM_KERNEL)
  set(TAILOR_VMLINUX_DIR ${TAILOR_BPF_GEN_DIR}/vmlinux)
  file(MAKE_DIRECTORY ${TAILOR_VMLINUX_DIR})
  if(NOT EXISTS ${TAILOR_VMLINUX_BTF})
    message(FATAL_ERROR "no kernel BTF at ${TAILOR_VMLINUX_BTF}: pass -DTAILOR_VMLINUX_BTF=<file>")
  endif()
  execute_process(
    COMMAND ${BPFTOOL_EXE} btf dump file ${TAILOR_VMLINUX_BTF} format c
    OUTPUT_FILE ${TAILOR_VMLINUX_DIR}/vmlinux.h
    RESULT_VARIABLE vmlinux_result)
  if(NOT vmlinux_result EQUAL 0)
    file(REMOVE ${TAILOR_VMLINUX_DIR}/vmlinux.h)
    message(FATAL_ERROR "bpftool could not dump ${TAILOR_VMLINUX_BTF}")
  endif()
else()
  set(TAILOR_VMLINUX_DIR ${CMAKE_SOURCE_DIR}/bpf/vmlinux/${TAILOR_BPF_ARCH})
endif()

function(bpf_skeleton name source)
  set(obj ${TAILOR_BPF_GEN_DIR}/${name}.bpf.o)
  set(skel ${TAILOR_BPF_GEN_DIR}/${name}.skel.h)
  file(GLOB bpf_headers ${CMAKE_SOURCE_DIR}/bpf/*.h ${CMAKE_SOURCE_DIR}/bpf/include/tailor/bpf/*.h)
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${CLANG_EXE} -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_${TAILOR_BPF_ARCH}
            -I${TAILOR_VMLINUX_DIR} -I${CMAKE_SOURCE_DIR}/bpf -I${CMAKE_SOURCE_DIR}/bpf/include
            -Wall -Werror -c ${source} -o ${obj}
    DEPENDS ${source} ${bpf_headers} ${TAILOR_VMLINUX_DIR}/vmlinux.h
    COMMENT "Compiling BPF object ${name}"
    VERBATIM)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${BPFTOOL_EXE} gen skeleton ${obj} name ${name} > ${skel}
    DEPENDS ${obj}
    COMMENT "Generating BPF skeleton ${name}.skel.h"
    VERBATIM)
  add_custom_target(tailor_bpf_${name}_gen DEPENDS ${skel})
  add_library(tailor_bpf_${name} INTERFACE)
  add_dependencies(tailor_bpf_${name} tailor_bpf_${name}_gen)
  target_include_directories(tailor_bpf_${name} INTERFACE ${TAILOR_BPF_GEN_DIR} ${CMAKE_SOURCE_DIR}/bpf/include)
  target_link_libraries(tailor_bpf_${name} INTERFACE tailor::libbpf)
endfunction()
