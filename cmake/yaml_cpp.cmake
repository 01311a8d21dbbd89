find_package(yaml-cpp 0.7 REQUIRED)
