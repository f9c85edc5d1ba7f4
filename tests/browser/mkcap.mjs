// mkcap.mjs - writes a pcap of N Ethernet/IPv4/UDP frames (the 100,000-frame
// trace the packet list must scroll through): node mkcap.mjs FILE N

import { writeFileSync } from 'node:fs';

function ip_checksum(b) {
	let sum = 0;
	for (let i = 0; i < b.length; i += 2)
		sum += (b[i] << 8) | b[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

export function make_capture(n) {
	const payload = 32;
	const caplen = 14 + 20 + 8 + payload;
	const buf = Buffer.alloc(24 + n * (16 + caplen));
	/* global header: microsecond pcap, Ethernet */
	buf.writeUInt32LE(0xa1b2c3d4, 0);
	buf.writeUInt16LE(2, 4);
	buf.writeUInt16LE(4, 6);
	buf.writeUInt32LE(65535, 16);
	buf.writeUInt32LE(1, 20);
	let at = 24;
	for (let i = 0; i < n; i++) {
		const usec = i * 137;
		buf.writeUInt32LE(1700000000 + Math.floor(usec / 1e6), at);
		buf.writeUInt32LE(usec % 1e6, at + 4);
		buf.writeUInt32LE(caplen, at + 8);
		buf.writeUInt32LE(caplen, at + 12);
		const f = buf.subarray(at + 16, at + 16 + caplen);
		Buffer.from('020000000002020000000001', 'hex').copy(f, 0);
		f.writeUInt16BE(0x0800, 12);
		const ip = f.subarray(14, 34);
		ip[0] = 0x45;
		ip.writeUInt16BE(20 + 8 + payload, 2);
		ip.writeUInt16BE(i & 0xffff, 4);
		ip[8] = 64;
		ip[9] = 17;
		Buffer.from([10, 0, (i >> 8) & 0xff, 1]).copy(ip, 12);
		Buffer.from([10, 1, 0, 1]).copy(ip, 16);
		ip.writeUInt16BE(ip_checksum(ip), 10);
		const udp = f.subarray(34, 42);
		udp.writeUInt16BE(20000 + (i % 1000), 0);
		udp.writeUInt16BE(9, 2);
		udp.writeUInt16BE(8 + payload, 4);
		f.write(`frame ${String(i + 1).padStart(26, '0')}`, 42, 'latin1');
		at += 16 + caplen;
	}
	return buf;
}

if (process.argv[1] && process.argv[1].endsWith('mkcap.mjs')) {
	const [file, n] = process.argv.slice(2);
	writeFileSync(file, make_capture(Number(n || 100000)));
}
