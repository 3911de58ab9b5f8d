// The C# kit through NUnit, as a Unity or .NET studio's tests use it: the
// EmulatorTest base fixture (the world reset before each test), the
// clients, the virtual clock and the waits.
using System;
using System.Collections.Generic;
using System.Linq;
using ImsEmulator;
using ImsEmulator.NUnit;
using Newtonsoft.Json.Linq;
using NUnit.Framework;

namespace ImsEmulator.Tests
{
    [TestFixture]
    public class KitTests : EmulatorTest
    {
        [Test]
        public void SeedFlowAClientSeesTheStatusTheServerSetAfterTheCache()
        {
            // The game client creates a session with its config.
            var created = SessionManager.CreateSession(Emulator.SessionType, "{\"map\": \"dust\"}");
            Assert.AreEqual("127.0.0.1", created.Address);
            Assert.AreEqual("GamePort", created.Ports[0].Name);

            // The game server sees it Reserved, reads the config, sets a status.
            var server = Payload(created.Id);
            Assert.AreEqual("Reserved", server.State());
            Assert.AreEqual("{\"map\": \"dust\"}", server.GetSessionConfig());
            server.SetSessionStatus(new Dictionary<string, string> { { "phase", "lobby" }, { "map", "dust" } });
            Assert.AreEqual("lobby", server.GetSessionStatus()["phase"]);

            // Clients see it only once the Session Manager's cache has refreshed.
            var listed = SessionManager.ListSessions(Emulator.SessionType);
            Assert.AreEqual(created.Id, listed.Single().Id);
            Assert.AreEqual(0, listed[0].SessionStatus.Count);
            WaitForClientsToSee(created.Id, "phase", "lobby");
            listed = SessionManager.ListSessions(Emulator.SessionType);
            Assert.AreEqual("lobby", listed[0].SessionStatus["phase"]);
            Assert.AreEqual("dust", listed[0].SessionStatus["map"]);
        }

        [Test]
        public void AdvancePastStatusCacheMovesTheClockNoFurtherThanNeeded()
        {
            var created = SessionManager.CreateSession(Emulator.SessionType);
            long before = Emulator.Clock().UnixMs;
            Payload(created.Id).SetSessionStatus(new Dictionary<string, string> { { "phase", "playing" } });
            AdvancePastStatusCache();
            long moved = Emulator.Clock().UnixMs - before;
            Assert.That(moved, Is.GreaterThan(0).And.LessThanOrEqualTo(12000));
            Assert.AreEqual("playing", SessionManager.ListSessions(Emulator.SessionType)[0].SessionStatus["phase"]);
        }

        [Test]
        public void AFaultFailsTheNextCreateThenTheSessionManagerAnswersAgain()
        {
            Emulator.AddFault(new FaultSpec { Api = "session-manager", Status = 503, Times = 1, Message = "down for a test" });
            var refused = Assert.Throws<ApiException>(() => SessionManager.CreateSession(Emulator.SessionType));
            Assert.AreEqual(503, refused.Status);
            Assert.AreEqual("down for a test", refused.ApiMessage);
            Assert.IsNotNull(SessionManager.CreateSession(Emulator.SessionType).Id);
            Assert.AreEqual(1, (int)Emulator.Faults()[0]["fired"]);
        }

        [Test]
        public void AGameServerThatExitsIsReplaced()
        {
            var created = SessionManager.CreateSession(Emulator.SessionType);
            Emulator.ExitPayload(created.Id, 0);
            WaitUntil("the buffer to be refilled", w => w.CountInState("Ready") == 2);
            CollectionAssert.DoesNotContain(Emulator.PayloadIds("Ready"), created.Id);
        }

        [Test]
        public void ResetGivesEachTestTheFixtureAgain()
        {
            SessionManager.CreateSession(Emulator.SessionType);
            Assert.AreEqual(1, Emulator.State().Sessions.Count);
            Emulator.Reset();
            Assert.AreEqual(0, Emulator.State().Sessions.Count);
            Assert.AreEqual(2, Emulator.PayloadIds("Ready").Count);
        }

        [Test]
        public void SnapshotsTakeTheWorldBack()
        {
            Emulator.TakeSnapshot("before");
            SessionManager.CreateSession(Emulator.SessionType);
            Emulator.RestoreSnapshot("before");
            Assert.AreEqual(0, Emulator.State().Sessions.Count);
            Assert.AreEqual("ims-emulator snapshot", (string)Emulator.Export()["format"]);
        }

        [Test]
        public void ErrorsNameTheFieldAndTheRule()
        {
            var refused = Assert.Throws<ApiException>(() => Emulator.AddFault(new FaultSpec { Api = "nope", Status = 500 }));
            Assert.AreEqual(400, refused.Status);
            StringAssert.StartsWith("api must be one of any, payload-local", refused.ApiMessage);
            var server = Payload(Emulator.PayloadIds()[0]);
            var bad = Assert.Throws<ApiException>(() => server.SetLabel("_bad", "x"));
            Assert.AreEqual(400, bad.Status);
            StringAssert.Contains("key", bad.ApiMessage);
        }

        [Test]
        public void AReservationNothingMatchesIs412()
        {
            var allocation = (string)Emulator.State().Allocations[0]["id"];
            var selectors = JArray.Parse("[{\"match_labels\": {\"map\": \"none\"}}]");
            var refused = Assert.Throws<ApiException>(() => Emulator.Orchestration().Reserve(allocation, selectors));
            Assert.AreEqual(412, refused.Status);
        }

        [Test]
        public void AWaitForWhatNeverHappensNamesItAndShowsTheJournal()
        {
            var created = SessionManager.CreateSession(Emulator.SessionType);
            Payload(created.Id).SetSessionStatus(new Dictionary<string, string> { { "phase", "lobby" } });
            var waited = Assert.Throws<WaitTimeoutException>(() => Emulator.WaitForClientsToSee(
                created.Id, "phase", "playing", new WaitLimits { VirtualSeconds = 60, RealSeconds = 0.2 }));
            StringAssert.Contains("waited in vain for clients to see phase=playing in session " + created.Id, waited.Message);
            StringAssert.Contains("clients see {phase=lobby}", waited.Message);
            StringAssert.Contains("session.status", waited.Message);
        }

        [Test]
        public void AttachDrivesAnEmulatorAnotherProcessStarted()
        {
            var attached = Emulator.Attach(Emulator.BaseUrl);
            Assert.IsTrue(attached.Attached);
            CollectionAssert.AreEqual(Emulator.State().Projects, attached.State().Projects);
            attached.Stop();  // leaves it running
            Assert.IsNotEmpty(Emulator.State().Projects);
        }

        [Test]
        public void AttachToNothingAndAMissingBinarySayWhatToSet()
        {
            var nothing = Assert.Throws<InvalidOperationException>(() => Emulator.Attach("http://127.0.0.1:9"));
            StringAssert.Contains("no ims-emulator answers at http://127.0.0.1:9", nothing.Message);
            var missing = Assert.Throws<System.IO.FileNotFoundException>(() => Emulator.Start("/nonexistent/ims-emulator"));
            StringAssert.Contains("IMS_EMULATOR_BINARY", missing.Message);
        }

        [Test]
        public void AStatusThatNeverBecomesVisibleFailsTheWait()
        {
            // An emulator whose cache shows nothing within the wait: the wait
            // judges both ways.
            using (var stale = Emulator.Start(null, null, new[] { "--status-cache", "delay", "--status-cache-ttl", "3600" }))
            {
                var created = stale.SessionManager().CreateSession(stale.SessionType);
                stale.Payload(created.Id).SetSessionStatus(new Dictionary<string, string> { { "phase", "lobby" } });
                var waited = Assert.Throws<WaitTimeoutException>(() => stale.WaitForClientsToSee(
                    created.Id, "phase", "lobby", new WaitLimits { RealSeconds = 0.2 }));
                StringAssert.Contains("is past the wait's 600 s", waited.Message);
            }
        }
    }
}
