"""The access layer: who is looking and what they may see. Users, sessions, throttled sign-ins
and the rule of which projects a viewer sees, and the viewer of the current request.
Imports only the core and the pool."""
