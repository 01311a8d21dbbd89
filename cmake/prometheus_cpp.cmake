find_package(prometheus-cpp 1.0 REQUIRED COMPONENTS core)
