/*
 * fuzz_telnet.c - libFuzzer harness for the Telnet dissector: the input is
 * a Telnet connection's bytes on port 23 (or 2222 decoded as telnet), cut
 * into TCP segments as fuzz_stream.h describes: data lines, commands, option
 * negotiation and suboptions with escaped IACs.  See README.md.
 */
#include "fuzz_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fs_run(data, size, 23, "telnet");
}
