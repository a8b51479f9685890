"""lz4, zstandard, msgpack, simplejson, toml, ruamel.yaml: round-trip a value through each."""
import io, lz4.frame, zstandard, msgpack, simplejson, toml, ruamel.yaml
v = {"a": [1, 2, 3], "b": "x" * 50}
print(len(lz4.frame.decompress(lz4.frame.compress(b"y" * 1000))))
print(zstandard.ZstdDecompressor().decompress(zstandard.ZstdCompressor().compress(b"z" * 100)) == b"z" * 100)
print(msgpack.unpackb(msgpack.packb(v)) == v, simplejson.dumps(v, sort_keys=True)[:20], toml.dumps({"t": v})[:10])
y = ruamel.yaml.YAML(); out = io.StringIO(); y.dump(v, out); print(out.getvalue())
