#include "rebill/core/shared_library.h"

#include <dlfcn.h>

namespace rebill {

Result<SharedLibrary> SharedLibrary::Open(const std::string& soname, const std::string& package,
                                          const std::string& needed_for) {
  void* handle = ::dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    return Status(StatusCode::kUnavailable, needed_for + " need " + soname +
                                                ", which cannot be loaded (" +
                                                (why != nullptr ? why : "unknown reason") +
                                                "); install the Debian package " + package);
  }
  return SharedLibrary(handle, soname, package);
}

Status SharedLibrary::FindAddress(const char* name, void** address) const {
  ::dlerror();
  *address = ::dlsym(handle_, name);
  if (*address == nullptr) {
    return Status(StatusCode::kUnavailable, soname_ + " has no function " + name +
                                                "; install the version of the Debian package " +
                                                package_ + " rebill was built against");
  }
  return Status::Ok();
}

}  // namespace rebill
