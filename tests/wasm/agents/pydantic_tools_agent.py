"""An agent whose tools lean on pydantic, built into a component by the guest pydantic tests:
inside the component `pydantic` is remi-web's stand-in, and must behave as real pydantic."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, Field

from remi_web import AgentBuilder, AgentLoop, ChatModel, tool


class Cat(BaseModel):
    """A cat."""

    kind: Literal["cat"]
    name: str
    indoor: bool = True


class Dog(BaseModel):
    """A dog."""

    kind: Literal["dog"]
    name: str
    good: bool = True


class Person(BaseModel):
    """A person."""

    name: str
    age: int = Field(ge=0, le=150)


@tool
def set_age(person: Person) -> str:
    """Record a person's age.

    Args:
        person: who, and how old.
    """
    return f"{person.name} is {person.age}"


@tool
def set_years(name: str, age: int = Field(ge=0, le=150)) -> str:
    """Record an age given as a plain argument, constrained by its `Field` default.

    Args:
        name: who.
        age: how old.
    """
    return f"{name} is {age}"


@tool
def adopt(pet: Annotated[Union[Cat, Dog], Field(discriminator="kind")]) -> str:
    """Adopt a pet.

    Args:
        pet: the pet.
    """
    return f"adopted {pet.model_dump_json()} as a {type(pet).__name__}"


def build_agent(model: ChatModel) -> AgentLoop:
    """The agent on `model`."""
    return AgentBuilder().model(model).tools(set_age, set_years, adopt).name("pydantic-tools").build()
