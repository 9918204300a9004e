# Fails when a Catch test case name would not reach CTest intact: catch_discover_tests splits names at ';'
# (each half then matches nothing and "passes" without running), and a name starting with '-' is read as
# an option. Usage: cmake -DTESTS=<llmsize_tests> -P check_test_names.cmake
execute_process(COMMAND ${TESTS} --list-test-names-only OUTPUT_VARIABLE names RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 AND NOT rc GREATER 0)
  message(FATAL_ERROR "could not list the test names: ${rc}")
endif()
string(REPLACE ";" "<SEMICOLON>" names "${names}")
string(REPLACE "\n" ";" lines "${names}")
set(bad "")
foreach(line IN LISTS lines)
  if(line MATCHES "<SEMICOLON>" OR line MATCHES "^-")
    string(REPLACE "<SEMICOLON>" "\;" shown "${line}")
    string(APPEND bad "\n  ${shown}")
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "test case names CTest cannot run (a ';' splits the name, a leading '-' is an option):${bad}")
endif()
