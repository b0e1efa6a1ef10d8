#!/usr/bin/python3
"""An independent client: Debian's python3-grpcio (gRPC's C core through
Python, with stubs generated from protos/ alone, no code of ours) submits,
reads and is refused by a real kuaibao-node over mTLS.

  python_interop.py NODE_BINARY PKI_DIR SOURCE_DIR STUBS_DIR WORK_DIR
  (tests/interop/run-python-interop.sh generates the stubs and runs it)

Exit 0 when every check held, 1 with the failed check otherwise.
"""
import os
import subprocess
import sys
import time

node_binary, pki, source, stubs, work = sys.argv[1:6]
sys.path.insert(0, stubs)

import grpc  # noqa: E402  (after the stubs' path)
from google.protobuf import timestamp_pb2  # noqa: E402
from kuaibao.v1 import report_pb2, service_pb2  # noqa: E402
from kuaibao.v1 import service_pb2_grpc as service_grpc  # noqa: E402
from node_checks import channel, check, read, write_node_config  # noqa: E402,E501

COUNTY = "140105000000"
TOWNSHIP = "140105001000"
OFFICER = "client-140105001000-duty-1"


def timestamp(seconds_ago):
    ts = timestamp_pb2.Timestamp()
    ts.FromSeconds(int(time.time()) - seconds_ago)
    return ts


def report(report_id):
    """The fields protos/README.md lists as required, and nothing else."""
    r = report_pb2.IncidentReport(
        report_id=report_id,
        event_id="ev-" + report_id,
        kind=report_pb2.REPORT_KIND_INITIAL,
        status=report_pb2.REPORT_STATUS_ACTUAL,
        category=report_pb2.CATEGORY_MAJOR_ACCIDENT,
        grade=report_pb2.GRADE_IV,
        headline="居民楼燃气泄漏",
    )
    r.occurred_at.CopyFrom(timestamp(3600))
    r.location.region_code = TOWNSHIP
    r.unit.name = "坞城街道办事处"
    return r


def submit(stub, reports):
    return list(stub.Submit(
        iter(service_pb2.SubmitRequest(report=r) for r in reports),
        timeout=60))


os.makedirs(work, exist_ok=True)
main_pki = os.path.join(pki, "main")
port_file = os.path.join(work, "port")
config = os.path.join(work, "node.conf")
write_node_config(config, COUNTY, work, source, main_pki)
if os.path.exists(port_file):
    os.remove(port_file)
log = open(os.path.join(work, "node.log"), "w")
node = subprocess.Popen([node_binary, "--config", config], stderr=log)
try:
    deadline = time.time() + 120
    port = 0
    while time.time() < deadline and not port:
        if node.poll() is not None:
            check(False, "the node started (see node.log)")
        try:
            port = int(read(port_file).strip() or 0)
        except (OSError, ValueError):
            time.sleep(0.05)
    check(port > 0, "the node wrote its port")
    address = f"127.0.0.1:{port}"

    officer = channel(address, main_pki, OFFICER)
    intake = service_grpc.IntakeStub(officer)
    answers = submit(intake, [report("py-1")])
    check(len(answers) == 1 and answers[0].HasField("receipt"),
          "a report from python is acknowledged with a receipt")
    check(answers[0].receipt.report_id == "py-1", "the receipt names it")

    query = service_grpc.QueryStub(officer)
    got = query.GetReport(service_pb2.GetReportRequest(report_id="py-1"),
                          timeout=60)
    check(got.report.report.headline == "居民楼燃气泄漏",
          "it reads back, Chinese text intact")

    broken = report("py-2")
    broken.ClearField("headline")
    unknown = report("py-3")
    unknown.grade = 77
    answers = submit(intake, [broken, unknown])
    rejections = sorted((a.rejection for a in answers),
                        key=lambda r: r.message_index)
    check(len(rejections) == 2 and all(a.HasField("rejection")
                                       for a in answers),
          "two broken reports get two refusals")
    check(rejections[0].field == "headline" and
          rejections[0].code == grpc.StatusCode.INVALID_ARGUMENT.value[0] and
          rejections[0].message_index == 1,
          "the first names the missing field and its place in the stream")
    check(rejections[1].field == "grade" and
          "unknown value 77" in rejections[1].message and
          rejections[1].message_index == 2,
          "the second says the enum value is unknown")

    try:
        query.GetReport(service_pb2.GetReportRequest(report_id="nothing"),
                        timeout=60)
        check(False, "an unknown report is not found")
    except grpc.RpcError as e:
        check(e.code() == grpc.StatusCode.NOT_FOUND,
              "an unknown report is NOT_FOUND")

    # The foreign client trusts our CA, so it is the node that refuses.
    foreign_creds = grpc.ssl_channel_credentials(
        root_certificates=read(os.path.join(main_pki, "ca.pem")),
        private_key=read(os.path.join(pki, "foreign", OFFICER + ".key")),
        certificate_chain=read(os.path.join(pki, "foreign", OFFICER + ".pem")))
    foreign = grpc.secure_channel(address, foreign_creds)
    try:
        submit(service_grpc.IntakeStub(foreign), [report("py-foreign")])
        check(False, "another PKI's certificate is refused")
    except grpc.RpcError as e:
        check(e.code() == grpc.StatusCode.UNAVAILABLE,
              "another PKI's certificate is refused in the handshake")
    try:
        query.GetReport(service_pb2.GetReportRequest(report_id="py-foreign"),
                        timeout=60)
        check(False, "nothing of the refused client was stored")
    except grpc.RpcError as e:
        check(e.code() == grpc.StatusCode.NOT_FOUND,
              "nothing of the refused client was stored")
finally:
    node.terminate()
    node.wait(timeout=60)
