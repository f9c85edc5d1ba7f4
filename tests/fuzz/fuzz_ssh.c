/*
 * fuzz_ssh.c - libFuzzer harness for the SSH dissector: the input is an SSH
 * connection's bytes on port 22 (or 2222 decoded as ssh), cut into TCP
 * segments as fuzz_stream.h describes, so that the version exchange, the key
 * exchange, reassembly across segments and the encrypted packets are fuzzed.
 * See README.md.
 */
#include "fuzz_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fs_run(data, size, 22, "ssh");
}
