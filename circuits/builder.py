"""The circuit DSL's names at their first address: the DSL itself lives in circuits/dsl/ (see its
__init__ for the language); `from circuits.builder import Api, Statement, Var` keeps working."""

from .dsl import (MAX_BITS, Api, HintHook, InputField, Statement, Value, Var, breakdown, linear, signed,
                  value_of)

__all__ = ["MAX_BITS", "Api", "HintHook", "InputField", "Statement", "Value", "Var", "breakdown", "linear",
           "signed", "value_of"]
