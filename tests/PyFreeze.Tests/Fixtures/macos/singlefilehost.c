/* Stand-in for the .NET single-file host of osx-arm64 (Microsoft.NETCore.App.Host.osx-arm64), whose pack is not
   reachable on these machines: a Mach-O executable carrying the two placeholders Microsoft.NET.HostModel patches, the
   app path (HostWriter, 1024 bytes reserved, SHA-256 of "foobar" in hex) and the bundle marker (Bundler: the bundle
   header offset, then the SHA-256 of ".net core bundle"). It lets the emit stage and HostModel's Mach-O signing run
   for real in tests; it is never run. */
__attribute__((used)) char app_path[1025] = "c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2";
__attribute__((used)) volatile unsigned char bundle_marker[40] = {
    0, 0, 0, 0, 0, 0, 0, 0,
    0x8b, 0x12, 0x02, 0xb9, 0x6a, 0x61, 0x20, 0x38, 0x72, 0x7b, 0x93, 0x02, 0x14, 0xd7, 0xa0, 0x32,
    0x13, 0xf5, 0xb9, 0xe6, 0xef, 0xae, 0x33, 0x18, 0xee, 0x3b, 0x2d, 0xce, 0x24, 0xb3, 0x6a, 0xae};
int main(void) { return app_path[0] + bundle_marker[0]; }
