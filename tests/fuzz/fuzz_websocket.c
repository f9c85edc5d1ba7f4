/*
 * fuzz_websocket.c - libFuzzer harness for the WebSocket dissector: the input
 * is a connection's bytes cut into TCP segments as fuzz_stream.h describes,
 * either on port 2222 decoded as websocket (frames from the first byte) or on
 * port 80, where HTTP hands the stream over after a "101 Switching Protocols"
 * with "Upgrade: websocket": frame headers with 16- and 64-bit lengths,
 * masking, control frames, fragments and frames split over segments.
 * See README.md.
 */
#include "fuzz_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fs_run(data, size, 80, "websocket");
}
