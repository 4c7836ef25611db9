"""`remi_web.deep`: the long-horizon agent (planning, a workspace, sub-agents, skills, context
compression), built from the core by `DeepAgentBuilder`; works natively and in the page."""

from .builder import DeepAgentBuilder
from .compression import SummarizingContext, estimate_tokens
from .config import DeepConfig, load_config
from .skills import Skill, SkillStore, skill_tools, skills_prompt
from .spill import SpillingTool
from .subagents import SubAgent, task_tool
from .todos import TODO_EVENT, Todo, current_plan, write_todos_tool

__all__ = [
    "TODO_EVENT", "DeepAgentBuilder", "DeepConfig", "Skill", "SkillStore", "SpillingTool",
    "SubAgent", "SummarizingContext", "Todo", "current_plan", "estimate_tokens", "load_config",
    "skill_tools", "skills_prompt", "task_tool", "write_todos_tool",
]
