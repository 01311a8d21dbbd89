#pragma once

#include <string>

namespace tailor::testbed {

// A random RFC 4122 version 4 UUID, as the API server assigns to new objects.
std::string random_uid();

// A UUID-shaped value derived from `name`: stable uids for things the bed
// does not store, such as service accounts named in tokens.
std::string uid_for(const std::string& name);

// 64 random lowercase hex digits: a container id as containerd makes them.
std::string random_container_id();

}  // namespace tailor::testbed
