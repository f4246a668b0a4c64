# Translates template.yaml with the SAM translator (offline, no AWS calls).
import json, sys, yaml
from samtranslator.translator.transform import transform
from samtranslator.public.translator import ManagedPolicyLoader
class NoLoader(ManagedPolicyLoader):
    def __init__(self): pass
    def load(self): return {"AWSLambdaBasicExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}
from samtranslator.yaml_helper import yaml_parse
t = yaml_parse(open(sys.argv[1]).read())
out = transform(t, {}, NoLoader())
json.dump(out, sys.stdout, indent=1)
