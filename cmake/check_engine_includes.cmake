# The dependency rule, checked on the source text: engine <- catalog / modelfile <- hub, machine <- cli.
# Usage: cmake -DDIRS=dir1;dir2 [-DLAYER=engine|catalog|modelfile|hub] -P check_engine_includes.cmake
# Fails naming the file and the line when a source under DIRS includes a header its layer may not, or
# (engine) opens a namespace other than llmsize::engine.
if(NOT DEFINED LAYER)
  set(LAYER engine)
endif()
# Includes from layers above, by public path (llmsize/cli/...) or by relative path (../cli/...).
set(above_machine "llmsize/(machine|cli)/|\\.\\./(machine|cli)/|CLI/")
if(LAYER STREQUAL "engine")
  # Pure and standard-library only: no JSON, CLI, formatting, I/O, clock, threads or file system, and
  # nothing from the layers that read files or talk to the machine.
  set(forbidden "nlohmann|CLI/|fmt/|<iostream>|<fstream>|<cstdio>|<sstream>|<chrono>|<thread>|<filesystem>"
                "|llmsize/(catalog|modelfile|hub|machine|cli)/|\\.\\./(catalog|modelfile|hub|machine|cli)/|curl/")
  string(CONCAT forbidden ${forbidden})
elseif(LAYER STREQUAL "catalog" OR LAYER STREQUAL "modelfile")
  # They parse bytes; fetching them is the hub's job (and libcurl its alone).
  set(forbidden "${above_machine}|llmsize/hub/|\\.\\./hub/|curl/")
elseif(LAYER STREQUAL "hub")
  set(forbidden "${above_machine}")
else()
  message(FATAL_ERROR "LAYER must be engine, catalog, modelfile or hub, not \"${LAYER}\"")
endif()

set(checked 0)
foreach(dir IN LISTS DIRS)
  if(NOT IS_DIRECTORY "${dir}")
    message(FATAL_ERROR "${dir}: not a directory (DIRS lists the ${LAYER} sources)")
  endif()
  file(GLOB_RECURSE sources "${dir}/*.cpp" "${dir}/*.h")
  foreach(f IN LISTS sources)
    math(EXPR checked "${checked} + 1")
    file(STRINGS "${f}" lines REGEX "^[ \t]*#[ \t]*include")
    foreach(line IN LISTS lines)
      if(line MATCHES "${forbidden}")
        message(FATAL_ERROR "${f}: ${LAYER} code must not include ${line}")
      endif()
    endforeach()
    if(LAYER STREQUAL "engine")
      # The engine's names live in llmsize::engine (nested namespaces inside it are fine).
      file(STRINGS "${f}" opened REGEX "^[ \t]*namespace[ \t]+llmsize")
      foreach(line IN LISTS opened)
        if(NOT line MATCHES "namespace[ \t]+llmsize::engine([ \t{]|::)")
          message(FATAL_ERROR "${f}: engine code must open namespace llmsize::engine, not: ${line}")
        endif()
      endforeach()
    endif()
  endforeach()
endforeach()
if(checked EQUAL 0)
  message(FATAL_ERROR "no sources under ${DIRS}: the ${LAYER} include check would prove nothing")
endif()
message(STATUS "${LAYER} includes: ${checked} files follow the dependency rule")
