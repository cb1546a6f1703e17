// A stand-in bcryptprimitives.dll for Wine 8 (Debian bookworm), which lacks
// it: Go's runtime takes its random numbers from ProcessPrng there and aborts
// at start-up without it. This one fills the buffer from RtlGenRandom
// (SystemFunction036 in advapi32), which Wine has. Test prefixes only; real
// Windows (8 and newer) and Wine 9+ have the real DLL.
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
	while (length > 0) {
		ULONG n = length > 0x10000000 ? 0x10000000 : (ULONG)length;
		if (!SystemFunction036(data, n)) return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
