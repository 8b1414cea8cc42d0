/**
 * Capture reading for tests, replay and the CLI: pcap / pcapng / raw BMP byte streams in,
 * reassembled TCP streams out. Pure: Buffer in, objects out, no I/O.
 */
export { CaptureError, detectCaptureFormat, readPacketFile, type CaptureFormat, type CapturedPacket, type PacketFile } from './pcap.js';
export { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, decodeTcpSegment, type SkipReason, type SkippedFrame, type TcpSegment } from './packet.js';
export { TcpReassembler, type TcpGap, type TcpStream } from './reassembly.js';
export { extractBmpStreams, extractTcpStreams, looksLikeBmpHeader, pickBmpStreams, readCapture, type CaptureReadResult } from './streams.js';
