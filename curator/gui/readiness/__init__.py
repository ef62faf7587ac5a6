"""The Readiness screen: verdict, checks, charts, drill-downs into Records."""
