"""moto's server, with the fixes Palisade's deploy tests need.

Run by tests/deploy.rs with the interpreter of .venv-emulator/
(scripts/emulator.sh). Each patch works around a bug of the pinned moto in
how it reads a CloudFormation template that real CloudFormation accepts;
none changes what the tests assert about Palisade.
"""

import json
import sys

from moto.kms import models as kms


_create_key = kms.Key.create_from_cloudformation_json.__func__


def _key_from_template(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    # moto 5.2.6 passes a template's `Tags` ({Key, Value}) to the KMS API's
    # tagging, which expects {TagKey, TagValue}, and fails with KeyError.
    properties = dict(cloudformation_json.get("Properties", {}))
    properties["Tags"] = [
        {"TagKey": t["Key"], "TagValue": t["Value"]} for t in properties.get("Tags", [])
    ]
    if isinstance(properties.get("KeyPolicy"), dict):
        properties["KeyPolicy"] = json.dumps(properties["KeyPolicy"])
    patched = dict(cloudformation_json, Properties=properties)
    return _create_key(cls, resource_name, patched, account_id, region_name, **kwargs)


kms.Key.create_from_cloudformation_json = classmethod(_key_from_template)


# moto 5.2.6 creates a stack inside ExecuteChangeSet and, when a resource
# fails, returns the error from that call and leaves the stack
# CREATE_IN_PROGRESS forever ("TODO: implement rollback"). CloudFormation
# accepts the execution, then records the resource's *_FAILED event with
# its reason and rolls back. These patches record the same events and
# states (without deleting what was created), so `deploy`'s handling of a
# failed, rolled-back stack can be tested end to end.
from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing as cfn_parsing


class ResourceFailed(Exception):
    def __init__(self, logical_id, resource_type, error):
        super().__init__(str(error))
        self.logical_id = logical_id
        self.resource_type = resource_type
        self.error = error


_parse_and_create = cfn_parsing.parse_and_create_resource


def _create_resource(logical_id, resource_json, resources_map, account_id, region_name):
    try:
        return _parse_and_create(logical_id, resource_json, resources_map, account_id, region_name)
    except ResourceFailed:
        raise
    except Exception as error:  # noqa: BLE001 - any resource error fails the stack
        raise ResourceFailed(logical_id, resource_json.get("Type", ""), error) from error


cfn_parsing.parse_and_create_resource = _create_resource
_execute = cfn_models.CloudFormationBackend.execute_change_set


def _execute_change_set(self, change_set_name, stack_name=None):
    try:
        return _execute(self, change_set_name, stack_name)
    except ResourceFailed as failed:
        change_set = self.change_sets.get(change_set_name) or next(
            c
            for c in self.change_sets.values()
            if c.change_set_name == change_set_name
            and stack_name in (self.stacks[c.stack_id].name, c.stack_id)
        )
        stack = self.stacks[change_set.stack_id]
        creating = change_set.change_set_type == "CREATE"
        verb = "CREATE" if creating else "UPDATE"
        reason = getattr(failed.error, "message", None) or str(failed.error)
        stack.events.append(
            cfn_models.Event(
                stack_id=stack.stack_id,
                stack_name=stack.name,
                logical_resource_id=failed.logical_id,
                physical_resource_id="",
                resource_type=failed.resource_type,
                resource_status=f"{verb}_FAILED",
                resource_status_reason=reason,
                resource_properties=None,
            )
        )
        prefix = "" if creating else "UPDATE_"
        stack._add_stack_event(f"{prefix}ROLLBACK_IN_PROGRESS", resource_status_reason=(
            f"The following resource(s) failed to {verb.lower()}: [{failed.logical_id}]."))
        stack._add_stack_event(f"{prefix}ROLLBACK_COMPLETE")
        stack.status = f"{prefix}ROLLBACK_COMPLETE"
        return True


cfn_models.CloudFormationBackend.execute_change_set = _execute_change_set


# moto 5.2.6 creates a nested stack (AWS::CloudFormation::Stack, its
# template read from moto's S3) but cannot answer `Fn::GetAtt [Stack,
# Outputs.Name]` ("'Stack' object has no attribute 'get_cfn_attribute'"),
# which is how CloudFormation passes a child's outputs to the root and the
# other children.
def _stack_attribute(self, attribute_name):
    if attribute_name.startswith("Outputs."):
        name = attribute_name[len("Outputs."):]
        for output in self.output_map.values():
            if output.key == name:
                return output.value
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

    raise UnformattedGetAttTemplateException()


cfn_models.Stack.get_cfn_attribute = _stack_attribute

if __name__ == "__main__":
    from moto.server import main

    sys.exit(main(sys.argv[1:]))
