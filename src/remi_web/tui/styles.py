"""The app's stylesheet (Textual CSS)."""

CSS = """
#body { height: 1fr; }
#threads { width: 30; height: 1fr; border-right: solid $primary; }
#thread-items { height: 1fr; }
.panel-title { color: $text-muted; padding: 0 1; }
#messages { height: 1fr; padding: 0 1; }
#plan { width: 42; height: auto; max-height: 100%; border: round $accent; padding: 0 1; }
#prompt { margin: 0 0; }
#status { height: 1; background: $panel; color: $text-muted; }
.user-message { margin: 1 0 0 0; color: $accent; text-style: bold; }
.run { height: auto; }
.nested-run { padding: 0 0 0 1; }
.assistant-text { margin: 0; padding: 0 1; }
.help { margin: 1 0 0 0; padding: 0 1; }
.tool-card { height: auto; border: round $primary; padding: 0 1; }
.tool-card.state-done { border: round $success; }
.tool-card.state-error, .tool-card.state-denied { border: round $error; }
.tool-card.state-awaiting-approval { border: round $warning; }
.tool-card.state-stopped { border: round $warning-darken-2; }
.tool-head { text-style: bold; }
.tool-args, .tool-progress { color: $text-muted; }
.thinking { margin: 0; padding: 0; }
.thinking-text { color: $text-muted; }
.sub-agent { margin: 0; padding: 0; }
.notice { color: $text-muted; padding: 0 1; }
.notice-done { color: $text-muted; }
.notice-warning { color: $warning; }
.notice-error { color: $error; }
ApprovalScreen { align: center middle; }
#dialog { width: 80%; max-width: 100; height: auto; border: thick $warning; background: $surface;
          padding: 1 2; }
#question { text-style: bold; margin: 0 0 1 0; }
#arguments { color: $text; margin: 0 0 1 0; }
#editor { height: 10; }
#error { color: $error; }
#buttons { height: auto; }
#buttons Button { margin: 0 1 0 0; }
"""
"""The look of every part of the chat."""
