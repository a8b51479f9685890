"""paramiko: generate an RSA and an Ed25519-free key, print the key type and bits."""
import io, paramiko
k = paramiko.RSAKey.generate(1024)
buf = io.StringIO(); k.write_private_key(buf)
k2 = paramiko.RSAKey.from_private_key(io.StringIO(buf.getvalue()))
print(k.get_name(), k.get_bits(), k2.get_fingerprint() == k.get_fingerprint())
