// The probe's input errors are llmsize::Error with a message that says what to change.
#include <catch2/catch.hpp>

#include "llmsize/error.h"
#include "llmsize/machine/bandwidth_probe.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

TEST_CASE("the probe refuses a buffer with less than one word per thread", "[machine][probe][errors]") {
  llmsize::machine::ProbeOptions o;
  o.threads = 4;
  o.buffer_bytes = 31;  // 31 / 4 threads = 7 bytes each, less than one 8-byte word
  CHECK_THROWS_MATCHES(llmsize::machine::measure_read_bandwidth(o, {}), llmsize::Error,
                       Catch::Matchers::Message("the probe's buffer of 31 bytes leaves less than 8 bytes for each "
                                                "of its 4 threads; use fewer threads or a larger buffer"));
  o.threads = 0;
  CHECK_THROWS_MATCHES(llmsize::machine::measure_read_bandwidth(o, {}), llmsize::Error,
                       Catch::Matchers::Message("the probe needs at least one thread"));
}
