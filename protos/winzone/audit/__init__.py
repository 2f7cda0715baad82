"""Generated protobuf and gRPC code; edit the .proto files instead."""
