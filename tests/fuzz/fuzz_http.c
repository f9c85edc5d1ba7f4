/*
 * fuzz_http.c - libFuzzer harness for the HTTP dissector: the input is an
 * HTTP connection's bytes on port 80 (or 2222 decoded as http), cut into TCP
 * segments as fuzz_stream.h describes, so that headers, bodies by length and
 * by chunks, compressed bodies, keep-alive, upgrades and reassembly across
 * segments are fuzzed.  See README.md.
 */
#include "fuzz_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fs_run(data, size, 80, "http");
}
