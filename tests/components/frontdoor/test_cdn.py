"""The Cdn component: static content on CloudFront from a private bucket, over HTTPS only, logged.

Exact values come from the fixture stack ``tests/stacks/Pulumi.frontdoor-prod.yaml`` (the ``front``
fixture, tests/components/conftest.py).
"""

from components.pure.guardrails import policy_statements
from plan.engine import Run

STATIC_HOST = "assets.example.com"


def test_static_content_is_served_over_https_only_with_tls_1_2_2021_and_security_headers(front: Run):
    distribution = front.named("cdn-distribution").inputs
    assert distribution["aliases"] == [STATIC_HOST]
    assert distribution["viewerCertificate"] == {
        "acmCertificateArn": front.named("domain-cdn-cert-validation").inputs["certificateArn"],
        "sslSupportMethod": "sni-only",
        "minimumProtocolVersion": "TLSv1.2_2021",
    }
    behaviour = distribution["defaultCacheBehavior"]
    assert behaviour["viewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["responseHeadersPolicyId"] == "67f7725c-6f97-4210-82d7-5512b31e9d03"
    assert "forwardedValues" not in behaviour  # a cache policy replaces it
    assert behaviour["allowedMethods"] == ["GET", "HEAD"]


def test_only_this_distribution_reads_the_private_bucket_through_origin_access_control(front: Run):
    distribution = front.named("cdn-distribution")
    bucket = front.named("cdn-content")
    (origin,) = distribution.inputs["origins"]
    assert origin["domainName"] == bucket.state["bucketRegionalDomainName"]
    assert origin["originAccessControlId"] == front.named("cdn-oac").id
    oac = front.named("cdn-oac").inputs
    assert (oac["signingBehavior"], oac["signingProtocol"], oac["originAccessControlOriginType"]) == (
        "always",
        "sigv4",
        "s3",
    )
    statements = list(policy_statements(front.named("cdn-content-policy").inputs["policy"]))
    (read,) = [s for s in statements if s["Effect"] == "Allow"]
    assert read["Principal"] == {"Service": ["cloudfront.amazonaws.com"]}
    assert (read["Action"], read["Resource"]) == (["s3:GetObject"], [f"{bucket.state['arn']}/*"])
    assert read["Condition"] == {"StringEquals": {"AWS:SourceArn": [distribution.state["arn"]]}}
    assert front.named("cdn-content-block").inputs["restrictPublicBuckets"] is True
    assert front.named("cdn-content-versioning").inputs["versioningConfiguration"] == {"status": "Enabled"}


def test_the_static_content_is_encrypted_with_the_cdns_own_key_only_this_distribution_may_decrypt(
    front: Run,
):
    """CloudFront developer guide, private-content-restricting-access-to-s3 ("SSE-KMS"): with OAC the
    key policy lets cloudfront.amazonaws.com kms:Decrypt with AWS:SourceArn = the distribution."""
    key = front.named("cdn-key")
    (rule,) = front.named("cdn-content-sse").inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": key.state["arn"],
    }
    assert rule["bucketKeyEnabled"] is True
    assert (key.inputs["enableKeyRotation"], key.inputs["deletionWindowInDays"]) == (True, 30)
    admin, cloudfront = policy_statements(key.inputs["policy"])
    assert (admin["Principal"], admin["Action"]) == ({"AWS": ["arn:aws:iam::222222222222:root"]}, ["kms:*"])
    assert cloudfront["Principal"] == {"Service": ["cloudfront.amazonaws.com"]}
    assert cloudfront["Action"] == ["kms:Decrypt"]
    assert cloudfront["Condition"] == {
        "StringEquals": {"AWS:SourceArn": [front.named("cdn-distribution").state["arn"]]}
    }
    # The log bucket receives S3 server access logs, which S3 delivers only to SSE-S3 buckets.
    (logs_rule,) = front.named("cdn-logs-sse").inputs["rules"]
    assert logs_rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    assert front.named("cdn-key").options.get("retainOnDelete") is True


def test_every_request_to_the_static_content_is_logged_in_the_log_bucket(front: Run):
    """Who changed which object: S3 server access logs (S3 user guide, enable-server-access-logging:
    the destination's bucket policy admits logging.s3.amazonaws.com with aws:SourceArn/SourceAccount)."""
    content, logs = front.named("cdn-content"), front.named("cdn-logs")
    logging = front.named("cdn-access-logging")
    assert (logging.inputs["bucket"], logging.inputs["targetBucket"], logging.inputs["targetPrefix"]) == (
        content.id,
        logs.id,
        "s3-access/",
    )
    assert front.named("cdn-logs-policy").urn in logging.options["dependsOn"]
    statements = {s.get("Sid"): s for s in policy_statements(front.named("cdn-logs-policy").inputs["policy"])}
    write = statements["S3ServerAccessLogs"]
    assert write["Principal"] == {"Service": ["logging.s3.amazonaws.com"]}
    assert (write["Action"], write["Resource"]) == (["s3:PutObject"], [f"{logs.state['arn']}/s3-access/*"])
    assert write["Condition"] == {
        "ArnLike": {"aws:SourceArn": [content.state["arn"]]},
        "StringEquals": {"aws:SourceAccount": ["222222222222"]},
    }


def test_cloudfront_access_logs_are_delivered_to_a_private_bucket(front: Run):
    source = front.named("cdn-log-source").inputs
    destination = front.named("cdn-log-destination")
    delivery = front.named("cdn-log-delivery").inputs
    assert (source["logType"], source["resourceArn"]) == (
        "ACCESS_LOGS",
        front.named("cdn-distribution").state["arn"],
    )
    assert {source["region"], destination.inputs["region"], delivery["region"]} == {"us-east-1"}
    logs = front.named("cdn-logs")
    assert destination.inputs["deliveryDestinationConfiguration"] == {
        "destinationResourceArn": logs.state["arn"]
    }
    assert delivery["deliveryDestinationArn"] == destination.state["arn"]
    assert front.named("cdn-logs-policy").urn in front.named("cdn-log-delivery").options["dependsOn"]
