# Helpers that give every module the same warnings, standard and test wiring.
# The DEPS of rebill_library() are the layering of docs/architecture.md: a stage that
# includes another stage's header fails to link instead of slipping through review.

add_library(rebill_warnings INTERFACE)
target_compile_options(rebill_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Wno-sign-conversion)
if(REBILL_WERROR)
  target_compile_options(rebill_warnings INTERFACE -Werror)
endif()

add_library(rebill_sanitizers INTERFACE)
if(REBILL_SANITIZE)
  target_compile_options(rebill_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(rebill_sanitizers INTERFACE -fsanitize=address,undefined)
endif()

# rebill_library(NAME name SRCS a.cc b.cc DEPS rebill_core ...)
function(rebill_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_library(${ARG_NAME} STATIC ${ARG_SRCS})
  target_compile_features(${ARG_NAME} PUBLIC cxx_std_20)
  target_include_directories(${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${ARG_NAME} PUBLIC ${ARG_DEPS} rebill_sanitizers PRIVATE rebill_warnings)
endfunction()

# rebill_test(NAME name SRCS a_test.cc DEPS rebill_x [LABELS unit])
function(rebill_test)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  if(NOT REBILL_BUILD_TESTS)
    return()
  endif()
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} rebill_testing GTest::gtest GTest::gtest_main
    rebill_warnings)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME})
  set_tests_properties(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}"
    ENVIRONMENT "REBILL_SHARED_DATA=${REBILL_SHARED_DATA};REBILL_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
