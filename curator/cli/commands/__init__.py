"""One module per `curator` subcommand: configure(parser) and run(args) -> exit code."""
