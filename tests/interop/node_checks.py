"""What the Python tests against a real node share (tests/interop/,
tests/hardening/): a check that stops at the first failure, and an mTLS
channel made from a test PKI's files."""
import os
import sys

import grpc


def check(condition, what):
    if not condition:
        print("FAILED:", what, file=sys.stderr)
        sys.exit(1)
    print("ok:", what)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def channel(address, pki_dir, name):
    """A channel to `address` as `name` (its .pem and .key in pki_dir)."""
    creds = grpc.ssl_channel_credentials(
        root_certificates=read(os.path.join(pki_dir, "ca.pem")),
        private_key=read(os.path.join(pki_dir, name + ".key")),
        certificate_chain=read(os.path.join(pki_dir, name + ".pem")))
    return grpc.secure_channel(address, creds)


def write_node_config(path, region, work, source, pki_dir, extra=""):
    """A node configuration for `region` serving on 127.0.0.1 (its port in
    work/port), its certificate from pki_dir, CRLs required; `extra` are
    more fields in text format."""
    with open(path, "w") as f:
        f.write(f'''region: "{region}"
listen_address: "127.0.0.1:0"
data_dir: "{work}/data"
port_file: "{work}/port"
regions_file: "{source}/deploy/regions/shanxi-2022.csv"
{extra}
tls {{ cert_file: "{pki_dir}/node-{region}.pem"
      key_file: "{pki_dir}/node-{region}.key"
      ca_file: "{pki_dir}/ca.pem"
      crl_dir: "{pki_dir}/crl" require_crl: true }}
''')
