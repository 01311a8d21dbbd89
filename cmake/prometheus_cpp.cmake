find_package(prometheus-cpp REQUIRED COMPONENTS core)  # Debian ships no version file
