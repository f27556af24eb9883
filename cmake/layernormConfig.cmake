# find_package(layernorm) support. Installed as <prefix>/lib/cmake/layernorm/layernormConfig.cmake
# by `make install` and by CMake's install; it finds the header relative to itself, so the
# installed tree can be moved (and DESTDIR staging works).
get_filename_component(_layernorm_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT EXISTS "${_layernorm_prefix}/include/layernorm.h")
  set(layernorm_FOUND FALSE)
  set(layernorm_NOT_FOUND_MESSAGE "layernorm.h not found in ${_layernorm_prefix}/include")
  return()
endif()
if(NOT TARGET layernorm::layernorm)
  add_library(layernorm::layernorm INTERFACE IMPORTED)
  set_target_properties(layernorm::layernorm PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_layernorm_prefix}/include")
  if(UNIX AND NOT APPLE)
    set_property(TARGET layernorm::layernorm PROPERTY INTERFACE_LINK_LIBRARIES m)
  endif()
endif()
set(layernorm_INCLUDE_DIR "${_layernorm_prefix}/include")
unset(_layernorm_prefix)
