"""The Pyodide side of the web app: the worker bridge and the page author's agent file."""

from .boot import browser_store, start_bridge
from .bridge import BridgeError, WorkerBridge
from .history import message_view, thread_view
from .packages import declared_packages, install_declared_packages, patch_http
from .page_agent import PageFile, build_page_agent, load_page_agent, load_page_file
from .settings import BrowserSettings

__all__ = [
    "BridgeError",
    "BrowserSettings",
    "PageFile",
    "WorkerBridge",
    "browser_store",
    "build_page_agent",
    "declared_packages",
    "install_declared_packages",
    "load_page_agent",
    "load_page_file",
    "message_view",
    "patch_http",
    "start_bridge",
    "thread_view",
]
