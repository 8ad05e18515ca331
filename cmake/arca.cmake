# Helpers that give every Arca target the same warnings and rooted includes.
# -Wnull-dereference is left out: GCC 12 at -O2 reports it inside libstdc++, Asio and CLI11
# headers (false positives we cannot fix), which would bury real warnings.

set(ARCA_WARNINGS -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Wunused -Woverloaded-virtual -Wimplicit-fallthrough)
if(ARCA_WERROR)
  list(APPEND ARCA_WARNINGS -Werror)
endif()

function(arca_defaults target)
  target_compile_options(${target} PRIVATE ${ARCA_WARNINGS})
endfunction()

# arca_library(NAME SOURCES a.cpp ... DEPS dep ...)
# One library per src/ folder; DEPS is the dependency rule of DESIGN §2.
function(arca_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  arca_defaults(${name})
endfunction()

# arca_test(NAME SOURCES a_test.cpp ... DEPS dep ...)
function(arca_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests ${PROJECT_SOURCE_DIR}/src)
  arca_defaults(${name})
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
    PROPERTIES ENVIRONMENT "ARCA_SOURCE_DIR=${PROJECT_SOURCE_DIR};ARCA_BINARY_DIR=${PROJECT_BINARY_DIR}")
endfunction()
