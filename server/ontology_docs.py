"""placeholder"""
from flask import Blueprint
bp = Blueprint("ontology_docs", __name__)
