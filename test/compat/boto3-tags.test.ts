/**
 * Compatibility: resource tags (TagResource, UntagResource, ListTagsForResource, checked
 * against DescribeIdentityPool's IdentityPoolTags) and principal tag attribute maps
 * (SetPrincipalTagAttributeMap, GetPrincipalTagAttributeMap) through boto3 (Debian's
 * python3-boto3), run by test/compat/boto3_tags.py against a real server. The script prints
 * one JSON line per check; each becomes a test here, so a failure names its check.
 */
import { fileURLToPath } from "node:url";
import { describeCheckScript } from "./clients.ts";

const SCRIPT = fileURLToPath(new URL("./boto3_tags.py", import.meta.url));

/** Every check the script runs, in order: one missing means the script stopped early. */
const CHECKS = [
	"create_pools",
	"list_tags_for_resource",
	"tag_resource_adds_and_overwrites",
	"untag_resource_removes_keys",
	"update_identity_pool_tags_are_resource_tags",
	"tag_resource_invalid_parameter",
	"untag_resource_not_found",
	"list_tags_for_resource_invalid_arn",
	"set_principal_tag_attribute_map_defaults",
	"set_principal_tag_attribute_map_custom",
	"get_principal_tag_attribute_map",
	"set_principal_tag_attribute_map_not_found",
	"get_principal_tag_attribute_map_not_found",
];

describeCheckScript(
	"resource tags and principal tag attribute maps through boto3",
	{
		checks: CHECKS,
		script: SCRIPT,
		args: (t) => [t.url],
	},
);
